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
    /// <remarks>
    /// Takes the StackExchange.Redis form (<c>host:port,password=…,user=…,ssl=true</c>): an external server with a
    /// password is sent AUTH first, and one with TLS is spoken to over TLS, so it can look healthy as it is.
    /// </remarks>
    public static async Task<bool> RedisAsync(string connectionString, CancellationToken cancellationToken)
    {
        var parts = connectionString.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var options = parts.Skip(1).Select(p => p.Split('=', 2)).Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0].ToLowerInvariant(), kv => kv[1]);
        var (host, port) = SplitHostPort(parts[0], 6379);
        var request = new List<string[]>();
        if (options.TryGetValue("password", out var password))
        {
            request.Add(options.TryGetValue("user", out var user) ? ["AUTH", user, password] : ["AUTH", password]);
        }

        request.Add(["PING"]);
        var tls = options.TryGetValue("ssl", out var ssl) && bool.TryParse(ssl, out var useTls) && useTls;
        var reply = await ExchangeAsync(host, port, Resp(request), cancellationToken, tls, expectedReplies: request.Count);
        return reply?.Contains("+PONG", StringComparison.Ordinal) == true && !reply.StartsWith('-');
    }

    /// <summary>Commands as RESP arrays (a password may hold spaces, which inline commands cannot carry).</summary>
    private static byte[] Resp(IEnumerable<string[]> commands)
    {
        var text = new StringBuilder();
        foreach (var command in commands)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"*{command.Length}\r\n");
            foreach (var argument in command)
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(argument)}\r\n{argument}\r\n");
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
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

    private static async Task<string?> ExchangeAsync(
        string host, int port, byte[]? request, CancellationToken cancellationToken, bool tls = false, int expectedReplies = 1)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, timeout.Token);
            Stream stream = client.GetStream();
            if (tls)
            {
                var secure = new System.Net.Security.SslStream(stream);
                await secure.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions { TargetHost = host }, timeout.Token);
                stream = secure;
            }

            await using (stream)
            {
                if (request is not null)
                {
                    await stream.WriteAsync(request, timeout.Token);
                }

                // Read until every reply line has come (AUTH then PING answer in two lines), or the server stops.
                var reply = new StringBuilder();
                var buffer = new byte[256];
                while (reply.ToString().Count(c => c == '\n') < expectedReplies)
                {
                    var read = await stream.ReadAsync(buffer, timeout.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                return reply.ToString();
            }
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
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
