using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Email;
using OtpAuth.Api.Infrastructure;

namespace OtpAuth.Tests.Unit;

/// <summary>
/// What an SMTP server's refusals become: every failure MailKit can raise for a reachable but unwilling server is an
/// <see cref="EmailDeliveryException"/> (the contract's 503), and its text never carries the server's reply, which can
/// name the recipient. Against a scripted SMTP server on loopback.
/// </summary>
public sealed class SmtpDeliveryTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_server_without_AUTH_is_a_delivery_failure_not_a_crash()
    {
        await using var server = ScriptedSmtpServer.Start(rcptReply: "250 ok");
        using var sender = Sender(server.Port, username: "mailer", password: "secret");

        var failure = await Assert.ThrowsAsync<EmailDeliveryException>(() =>
            sender.SendAsync(CodeMail, Token));

        Assert.IsType<NotSupportedException>(failure.InnerException);
    }

    [Fact]
    public async Task A_refused_recipient_is_reported_by_SMTP_code_without_the_servers_text()
    {
        await using var server = ScriptedSmtpServer.Start(rcptReply: "550 5.1.1 <bob@example.test> rejected: no such user");
        using var sender = Sender(server.Port);

        var failure = await Assert.ThrowsAsync<EmailDeliveryException>(() =>
            sender.SendAsync(CodeMail, Token));

        var codes = EmailDeliveryException.SmtpCodes(failure.InnerException);
        Assert.Contains("550", codes, StringComparison.Ordinal);
        Assert.DoesNotContain("bob@", codes, StringComparison.Ordinal);
        Assert.DoesNotContain("bob@", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mails_in_a_row_share_one_kept_session()
    {
        await using var server = ScriptedSmtpServer.Start(rcptReply: "250 ok");
        using var sender = Sender(server.Port);

        await sender.SendAsync(CodeMail, Token);
        await sender.SendAsync(CodeMail, Token);

        Assert.Equal(2, server.Messages.Count);
        Assert.Equal(1, server.Sessions);
    }

    [Fact]
    public async Task A_mail_the_server_accepted_counts_as_sent_when_the_server_then_drops_the_session_and_the_next_goes_out_fresh()
    {
        await using var server = ScriptedSmtpServer.Start(rcptReply: "250 ok", hangUpAfterMessage: true);
        using var sender = Sender(server.Port);

        await sender.SendAsync(CodeMail, Token); // accepted, then the connection is gone
        await sender.SendAsync(CodeMail, Token); // the kept session is dead: tried once more on a new one

        Assert.Equal(2, server.Messages.Count);
        Assert.Equal(2, server.Sessions);
        Assert.All(server.Messages, message => Assert.Contains("123456", message, StringComparison.Ordinal));
    }

    /// <summary>
    /// An on-path attacker strips the server's STARTTLS offer. The Api's own options for a server off this machine,
    /// configured as an operator does (host and port, no <c>Smtp:Security</c>), then pointed at a scripted server on
    /// loopback that offers no STARTTLS, which is what the Api sees then. A focused test: the whole system's mail server
    /// is on loopback, which rightly gets plain text, and a system-wide Api variant for one refusal would slow every run;
    /// what register makes of a failed send (503, nothing kept) is DependencyOutageTests' contract for the same exception.
    /// </summary>
    [Fact]
    public async Task A_remote_server_that_offers_no_STARTTLS_is_refused_before_anything_is_sent_in_plain_text()
    {
        await using var server = ScriptedSmtpServer.Start(rcptReply: "250 ok");
        var smtp = ResolvedOptions("smtp://smtp.example.test:587");
        smtp.Host = "127.0.0.1";
        smtp.Port = server.Port;
        using var sender = new SmtpEmailSender(Options.Create(smtp), Metrics());

        var failure = await Assert.ThrowsAsync<EmailDeliveryException>(() => sender.SendAsync(CodeMail, Token));

        Assert.Contains("does not offer STARTTLS", failure.Message, StringComparison.Ordinal);
        Assert.Empty(server.Messages);
        Assert.DoesNotContain(server.Verbs, verb => verb is "MAIL" or "RCPT" or "DATA" or "AUTH");
    }

    /// <summary>The SMTP options the Api resolves at start from this mail connection string.</summary>
    private static SmtpOptions ResolvedOptions(string mailConnectionString)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:otpauth"] = "Host=localhost;Database=otpauth;Username=u;Password=p",
            ["ConnectionStrings:redis"] = "localhost:6379",
            ["ConnectionStrings:mail"] = mailConnectionString,
            ["Jwt:KeyRingSecret"] = "0123456789abcdef0123456789abcdef",
            ["Otp:HashKey"] = "fedcba9876543210fedcba9876543210",
        });
        builder.AddApplicationServices();
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<SmtpOptions>>().Value;
    }

    private static ApiMetrics Metrics() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());

    private static readonly OutgoingMail CodeMail = new(MailKind.RegistrationCode, "bob@example.test", "en", "123456", TimeSpan.FromMinutes(2));

    private static SmtpEmailSender Sender(int port, string? username = null, string? password = null)
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        return new SmtpEmailSender(
            Options.Create(new SmtpOptions
            {
                Host = "127.0.0.1", Port = port, Security = SmtpSecurity.None, Username = username, Password = password, TimeoutSeconds = 5,
            }),
            new ApiMetrics(meters));
    }

    /// <summary>
    /// Just enough SMTP for sessions one after the other: a banner, EHLO without AUTH or STARTTLS, a chosen answer to
    /// RCPT TO, DATA (after which, with <c>hangUpAfterMessage</c>, the connection is dropped), QUIT.
    /// </summary>
    private sealed class ScriptedSmtpServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Task _session;
        private readonly bool _hangUpAfterMessage;

        private ScriptedSmtpServer(TcpListener listener, string rcptReply, bool hangUpAfterMessage)
        {
            _listener = listener;
            _hangUpAfterMessage = hangUpAfterMessage;
            _session = Task.Run(() => ServeAllAsync(rcptReply));
        }

        /// <summary>How many connections were opened to it.</summary>
        public int Sessions { get; private set; }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        /// <summary>The commands the server was sent, in order (their verbs only).</summary>
        public List<string> Verbs { get; } = [];

        /// <summary>The messages the server accepted (their DATA).</summary>
        public List<string> Messages { get; } = [];

        public static ScriptedSmtpServer Start(string rcptReply, bool hangUpAfterMessage = false)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return new ScriptedSmtpServer(listener, rcptReply, hangUpAfterMessage);
        }

        private async Task ServeAllAsync(string rcptReply)
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync();
                }
                catch (Exception exception) when (exception is SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    return; // stopped
                }

                Sessions++;
                await ServeAsync(client, rcptReply);
            }
        }

        private async Task ServeAsync(TcpClient session, string rcptReply)
        {
            try
            {
                using var client = session;
                await using var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 scripted ESMTP");
                while (await reader.ReadLineAsync() is { } line)
                {
                    var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                    Verbs.Add(verb);
                    if (verb == "DATA")
                    {
                        await writer.WriteLineAsync("354 go ahead");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync() is { } dataLine && dataLine != ".")
                        {
                            data.AppendLine(dataLine);
                        }

                        Messages.Add(data.ToString());
                        await writer.WriteLineAsync("250 queued");
                        if (_hangUpAfterMessage)
                        {
                            client.Client.Close(); // accepted, then gone
                            return;
                        }

                        continue;
                    }

                    var reply = verb switch
                    {
                        "EHLO" => "250-scripted\r\n250 8BITMIME",
                        "HELO" or "MAIL" or "RSET" or "NOOP" => "250 ok",
                        "RCPT" => rcptReply,
                        "QUIT" => "221 bye",
                        _ => "502 not implemented",
                    };
                    await writer.WriteLineAsync(reply);
                    if (verb == "QUIT")
                    {
                        return;
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
            {
                // The client hung up: the session is over.
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _session.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }
}
