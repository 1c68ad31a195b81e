// The backup tests read manifests and measure recording files with the same code as the commands.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("AudioStream.BackupTests")]
