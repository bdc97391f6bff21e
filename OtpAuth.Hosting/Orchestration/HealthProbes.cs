using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace OtpAuth.Hosting.Orchestration;

/// <summary>Readiness probes, one per protocol: each asks the simplest real question the server can answer.</summary>
public static class HealthProbes
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>PostgreSQL: <c>SELECT 1</c>.</summary>
    public static async Task<bool> PostgresAsync(string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            return await command.ExecuteScalarAsync(cancellationToken) is 1;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or IOException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Redis (or Garnet): <c>PING</c> answered with <c>+PONG</c>.</summary>
    public static async Task<bool> RedisAsync(string hostAndPort, CancellationToken cancellationToken)
    {
        var (host, port) = SplitHostPort(hostAndPort.Split(',')[0], 6379);
        var reply = await ExchangeAsync(host, port, "PING\r\n"u8.ToArray(), cancellationToken);
        return reply?.StartsWith("+PONG", StringComparison.Ordinal) == true;
    }

    /// <summary>SMTP: the server's <c>220</c> greeting.</summary>
    public static async Task<bool> SmtpBannerAsync(string host, int port, CancellationToken cancellationToken)
    {
        var reply = await ExchangeAsync(host, port, null, cancellationToken);
        return reply?.StartsWith("220", StringComparison.Ordinal) == true;
    }

    /// <summary>Any TCP server: the connection is accepted.</summary>
    public static async Task<bool> TcpConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>HTTP: a 2xx from <paramref name="url"/> (a project's <c>/health</c>).</summary>
    public static async Task<bool> HttpAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.GetAsync(url, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task<string?> ExchangeAsync(string host, int port, byte[]? request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, timeout.Token);
            var stream = client.GetStream();
            if (request is not null)
            {
                await stream.WriteAsync(request, timeout.Token);
            }

            var buffer = new byte[256];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read);
        }
        catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    private static (string Host, int Port) SplitHostPort(string value, int defaultPort)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], out var port) ? (value[..colon], port) : (value, defaultPort);
    }
}
