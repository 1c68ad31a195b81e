namespace AudioStream.AppHost.Backup;

/// <summary>A backup or restore that was not attempted, for a reason the operator can fix; nothing was changed.</summary>
internal sealed class BackupRefusedException(string message) : Exception(message);
