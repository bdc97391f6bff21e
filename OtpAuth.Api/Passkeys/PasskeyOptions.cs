using Microsoft.Extensions.Options;

namespace OtpAuth.Api.Passkeys;

/// <summary>The <c>Passkeys</c> section: the WebAuthn relying party the browser checks every passkey against.</summary>
public sealed class PasskeyOptions
{
    public const string SectionName = "Passkeys";

    /// <summary>The relying party id: the registrable domain the passkeys belong to (the Web's host, or a parent of it).</summary>
    public string RpId { get; set; } = "localhost";

    /// <summary>The name an authenticator shows for the relying party.</summary>
    public string RpName { get; set; } = "OtpAuth";

    /// <summary>
    /// The origins (scheme, host, port) of the pages that may use the passkeys: the Web's public URL. Unset with the
    /// default <see cref="RpId"/>, the Web's usual local address (<see cref="LocalWeb"/>); with another RP id a
    /// deployment must name its own.
    /// </summary>
    public string[] Origins { get; set; } = [];

    public const string LocalWeb = "http://localhost:5500";

    /// <summary>How long a registration's or a sign-in's challenge waits for its answer.</summary>
    public int ChallengeSeconds { get; set; } = 300;
}

/// <summary>Configuration appends to an array's initial items, so the local default is given only when nothing is configured.</summary>
internal sealed class PasskeyOptionsDefaults : IPostConfigureOptions<PasskeyOptions>
{
    public void PostConfigure(string? name, PasskeyOptions options)
    {
        if (options.Origins.Length == 0 && options.RpId == "localhost")
        {
            options.Origins = [PasskeyOptions.LocalWeb];
        }
    }
}

/// <summary>An RP id that is a host name, and origins whose host is it or under it (what browsers enforce).</summary>
internal sealed class PasskeyOptionsValidator : IValidateOptions<PasskeyOptions>
{
    public ValidateOptionsResult Validate(string? name, PasskeyOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.RpId) || Uri.CheckHostName(options.RpId) is not (UriHostNameType.Dns))
        {
            errors.Add("Passkeys:RpId must be a host name (the Web's, or a parent domain of it), e.g. auth.example.com.");
        }

        if (options.Origins.Length == 0)
        {
            errors.Add("Passkeys:Origins must name at least one origin (the Web's public URL), e.g. Passkeys__Origins__0=https://auth.example.com.");
        }

        foreach (var origin in options.Origins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.AbsolutePath != "/"
                || !(uri.Host == options.RpId || uri.Host.EndsWith("." + options.RpId, StringComparison.Ordinal)))
            {
                errors.Add($"Passkeys:Origins holds '{origin}': each must be a scheme://host[:port] whose host is Passkeys:RpId ({options.RpId}) or under it.");
            }
            else if (uri.Scheme == "http" && uri.Host != "localhost" && !uri.Host.EndsWith(".localhost", StringComparison.Ordinal))
            {
                errors.Add($"Passkeys:Origins holds '{origin}': browsers allow WebAuthn over http only on localhost (and *.localhost).");
            }
        }

        if (options.ChallengeSeconds is < 30 or > 600)
        {
            errors.Add("Passkeys:ChallengeSeconds must be between 30 and 600.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
