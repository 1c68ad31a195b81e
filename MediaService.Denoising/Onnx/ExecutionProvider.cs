namespace AudioStream.MediaService.Denoising.Onnx;

/// <summary>Which ONNX Runtime execution provider runs the model; <see cref="None"/> when no model is loaded.</summary>
public enum ExecutionProvider
{
    None,
    Cpu,
    Cuda,
}
