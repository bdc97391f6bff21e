using System.Globalization;
using System.Web;

namespace OtpAuth.Mail;

/// <summary>
/// The <c>mail</c> connection string: <c>smtp://[user[:password]@]host[:port][?security=…&amp;from=…]</c>, or
/// <c>smtps://</c> for TLS from the first byte. User and password are URL-escaped; <c>security</c> is Auto, StartTls,
/// SslOnConnect or None; <c>from</c> the sender. The AppHost writes it (from <c>Smtp:*</c> or a dev mail server) and
/// the Api reads it, so both compile this one file. A class, not a record: a record's ToString would print the password.
/// </summary>
internal sealed class SmtpConnectionString
{
    public required string Host { get; init; }

    public required int Port { get; init; }

    public bool TlsOnConnect { get; init; }

    public string? Security { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }

    public string? From { get; init; }

    public static bool TryParse(string? value, out SmtpConnectionString? result)
    {
        result = null;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("smtp" or "smtps") || uri.Host.Length == 0)
        {
            return false;
        }

        var tlsOnConnect = uri.Scheme == "smtps";
        var query = HttpUtility.ParseQueryString(uri.Query);
        var userInfo = uri.UserInfo.Split(':', 2);
        result = new SmtpConnectionString
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort ? (tlsOnConnect ? 465 : 25) : uri.Port,
            TlsOnConnect = tlsOnConnect,
            Security = query["security"],
            Username = userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : null,
            Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null,
            From = query["from"],
        };
        return true;
    }

    /// <summary>The connection string, password included: for configuration only, never for a log.</summary>
    public string Format()
    {
        var credentials = Username is null ? "" : Uri.EscapeDataString(Username) + (Password is null ? "" : ":" + Uri.EscapeDataString(Password)) + "@";
        var query = string.Join('&', new[] { ("security", Security), ("from", From) }
            .Where(p => !string.IsNullOrEmpty(p.Item2))
            .Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"{(TlsOnConnect ? "smtps" : "smtp")}://{credentials}{Host}:{Port}{(query.Length > 0 ? "?" + query : "")}");
    }
}
