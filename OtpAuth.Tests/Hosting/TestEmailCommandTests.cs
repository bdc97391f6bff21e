using System.Net;
using System.Net.Sockets;
using OtpAuth.Hosting.Mail;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Hosting;

/// <summary>The "Send test email" command of the mail resource, as the dashboard (or <c>aspire resource</c>) runs it.</summary>
public sealed class TestEmailCommandTests(OtpAuthSystem system) : IDisposable
{
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("otpauth-mailcmd-");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_dev_mail_server_accepts_a_test_email_and_the_inbox_shows_it()
    {
        var result = await system.App.ResourceCommands.ExecuteCommandAsync("mail", TestEmailCommand.Name, Token);

        Assert.True(result.Success, result.Message);
        Assert.Contains("accepted a test email to no-reply@otpauth.localhost", result.Message, StringComparison.Ordinal);
        var messages = await system.Mail.GetMessagesToAsync("no-reply@otpauth.localhost", Token);
        Assert.Contains(messages, message => message.Subject == "OtpAuth test email");
    }

    [Fact]
    public async Task A_test_email_to_an_SMTP_server_that_does_not_answer_fails_and_says_why()
    {
        var closedPort = ClosedPort();

        await using var app = await AppStartup.StartPartAsync(
            _state, ["mail"], [$"ConnectionStrings:mail=smtp://127.0.0.1:{closedPort}"], Token, waitForHealthy: false);
        var result = await app.ResourceCommands.ExecuteCommandAsync("mail", TestEmailCommand.Name, Token);

        Assert.False(result.Success);
        Assert.Equal($"127.0.0.1:{closedPort} did not accept the test email: SocketException.", result.Message);
    }

    [Fact]
    public async Task A_configured_SMTP_server_becomes_healthy_so_the_api_waiting_for_it_starts()
    {
        // The shared system's maildev stands in for a real server named only by its connection string.
        var smtp = system.GetEndpoint("mail", "smtp");

        await using var app = await AppStartup.StartPartAsync(
            _state, ["mail"], [$"ConnectionStrings:mail=smtp://127.0.0.1:{smtp.Port}"], Token, waitForHealthy: true);
        var result = await app.ResourceCommands.ExecuteCommandAsync("mail", TestEmailCommand.Name, Token);

        Assert.True(result.Success, result.Message);
    }

    /// <summary>A loopback port nothing listens on.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose() => AppStartup.DeleteStateDirectory(_state);
}
