using System.Buffers;
using System.Buffers.Binary;
using AudioStream.RecordingService.Audio;
using Microsoft.Net.Http.Headers;

namespace AudioStream.RecordingService.Apis;

/// <summary>
/// A stored track converted to a 16-bit WAV while it is sent (<c>?format=wav</c>): the header first (its size is known
/// from the source), then the PCM as it is decoded, so nothing the size of the recording is held in memory.
/// No range requests: the conversion streams from the start.
/// </summary>
public sealed class WavConversionResult(IRecordingReader reader, string? downloadName) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => "audio/wav";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using (reader)
        {
            var dataBytes = Math.Min(reader.Samples * WavFormat.BytesPerSample, WavFormat.MaxDataBytes & ~1L);
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = ContentType;
            response.ContentLength = WavFormat.HeaderSize + dataBytes;
            response.Headers.AcceptRanges = "none";
            if (downloadName is not null)
            {
                var disposition = new ContentDispositionHeaderValue("attachment");
                disposition.SetHttpFileName(downloadName);
                response.Headers.ContentDisposition = disposition.ToString();
            }

            var header = new byte[WavFormat.HeaderSize];
            WavFormat.WriteHeader(header, reader.SampleRate, dataBytes);
            await response.Body.WriteAsync(header, httpContext.RequestAborted);

            var samples = ArrayPool<short>.Shared.Rent(16 * 1024);
            var bytes = ArrayPool<byte>.Shared.Rent(samples.Length * WavFormat.BytesPerSample);
            try
            {
                var left = dataBytes;
                while (left > 0)
                {
                    var want = (int)Math.Min(samples.Length, left / WavFormat.BytesPerSample);
                    var read = reader.Read(samples.AsSpan(0, want));
                    if (read == 0)
                    {
                        // A file damaged past what its last page claims: keep the promised length with silence.
                        read = want;
                        Array.Clear(samples, 0, want);
                    }
                    for (var i = 0; i < read; i++)
                    {
                        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * WavFormat.BytesPerSample), samples[i]);
                    }
                    await response.Body.WriteAsync(bytes.AsMemory(0, read * WavFormat.BytesPerSample), httpContext.RequestAborted);
                    left -= read * WavFormat.BytesPerSample;
                }
            }
            finally
            {
                ArrayPool<short>.Shared.Return(samples);
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }
    }
}
