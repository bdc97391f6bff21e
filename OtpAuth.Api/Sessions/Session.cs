namespace OtpAuth.Api.Sessions;

/// <summary>One signed-in device or browser: it lives while its refresh token is used, up to an absolute limit.</summary>
public sealed class Session
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid UserId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset LastUsedAt { get; set; }

    /// <summary>Sliding: <c>Sessions:RefreshTokenDays</c> after the last use, never past <see cref="AbsoluteExpiresAt"/>.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset AbsoluteExpiresAt { get; init; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>When the person last proved who they are in this session (its sign-in): the tokens' <c>auth_time</c>.</summary>
    public DateTimeOffset AuthenticatedAt { get; init; }

    /// <summary>How: <see cref="Auth.AuthenticationMethods"/>, space-separated; the tokens' <c>amr</c>.</summary>
    public string AuthMethods { get; init; } = Auth.AuthenticationMethods.Password;

    /// <summary>The client's User-Agent at sign-in (truncated), so a person can tell their sessions apart.</summary>
    public string? UserAgent { get; init; }
}

/// <summary>
/// A refresh token, stored only as its SHA-256 (it is 256 random bits, so a plain hash suffices). The current one of
/// a session has no <see cref="UsedAt"/>; a used one kept until the session ends is how reuse is recognised.
/// </summary>
public sealed class RefreshToken
{
    public required string Hash { get; init; }

    public Guid SessionId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? UsedAt { get; set; }

    /// <summary>
    /// The answer its refresh gave (<see cref="RefreshAnswerSeal"/>), for the same token sent again within
    /// <c>Sessions:RefreshReuseGraceSeconds</c>; cleared by <see cref="SessionPurge"/> once that has passed.
    /// </summary>
    public byte[]? Answer { get; set; }
}
