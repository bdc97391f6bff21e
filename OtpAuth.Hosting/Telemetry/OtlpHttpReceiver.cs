using System.Globalization;
using System.IO.Compression;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OtpAuth.Hosting.Telemetry.Otlp.Collector.Logs;
using OtpAuth.Hosting.Telemetry.Otlp.Collector.Metrics;
using OtpAuth.Hosting.Telemetry.Otlp.Collector.Trace;

namespace OtpAuth.Hosting.Telemetry;

/// <summary>
/// OTLP over HTTP with protobuf bodies (the OTLP/HTTP spec's binary encoding): <c>POST /v1/traces</c>,
/// <c>/v1/logs</c>, <c>/v1/metrics</c>, which is where the .NET exporter posts with
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>. It listens on loopback only: the projects it serves are
/// the AppHost's own children on this machine, so it needs no key.
/// </summary>
internal sealed class OtlpHttpReceiver : IAsyncDisposable
{
    private const string Protobuf = "application/x-protobuf";
    private const long MaxBodyBytes = 16 * 1024 * 1024;
    private readonly WebApplication _app;

    private OtlpHttpReceiver(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The value for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (the exporter appends /v1/traces and the like).</summary>
    public Uri Endpoint { get; }

    public static async Task<OtlpHttpReceiver> StartAsync(TelemetryStore store, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseSetting("urls", string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxBodyBytes);
        var app = builder.Build();
        app.MapPost("/v1/traces", (HttpContext context) =>
            ReceiveAsync(context, ExportTraceServiceRequest.Parser, request => OtlpConverter.Store(request, store), new ExportTraceServiceResponse()));
        app.MapPost("/v1/logs", (HttpContext context) =>
            ReceiveAsync(context, ExportLogsServiceRequest.Parser, request => OtlpConverter.Store(request, store), new ExportLogsServiceResponse()));
        app.MapPost("/v1/metrics", (HttpContext context) =>
            ReceiveAsync(context, ExportMetricsServiceRequest.Parser, request => OtlpConverter.Store(request, store), new ExportMetricsServiceResponse()));
        await app.StartAsync();
        return new OtlpHttpReceiver(app, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")));
    }

    private static async Task ReceiveAsync<TRequest>(HttpContext context, MessageParser<TRequest> parser, Action<TRequest> store, IMessage response)
        where TRequest : IMessage<TRequest>
    {
        if (context.Request.ContentType?.StartsWith(Protobuf, StringComparison.OrdinalIgnoreCase) != true)
        {
            // OTLP/HTTP's JSON encoding has hex ids that protobuf's JSON parser cannot read; the AppHost asks for protobuf.
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            await context.Response.WriteAsync($"Send {Protobuf} (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf).");
            return;
        }

        TRequest request;
        try
        {
            await using var body = await ReadBodyAsync(context.Request);
            request = parser.ParseFrom(body);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("The body is not an OTLP protobuf message.");
            return;
        }

        store(request);
        context.Response.ContentType = Protobuf;
        await context.Response.Body.WriteAsync(response.ToByteArray());
    }

    /// <summary>The body, unzipped when the exporter compressed it (OTEL_EXPORTER_OTLP_COMPRESSION=gzip), at most 16 MiB either way.</summary>
    private static async Task<MemoryStream> ReadBodyAsync(HttpRequest request)
    {
        var buffer = new MemoryStream();
        var gzip = string.Equals(request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase);
        var unzip = gzip ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true) : null;
        await using (unzip)
        {
            var source = unzip ?? request.Body; // the request's own stream belongs to the server: not disposed here
            var chunk = new byte[81920];
            int read;
            while ((read = await source.ReadAsync(chunk)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    throw new InvalidDataException("The OTLP body is too large.");
                }

                buffer.Write(chunk, 0, read);
            }
        }

        buffer.Position = 0;
        return buffer;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
