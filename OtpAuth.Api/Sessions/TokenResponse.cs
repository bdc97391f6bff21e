namespace OtpAuth.Api.Sessions;

/// <summary>What a sign-in (<c>POST /auth/login</c>) and a refresh answer: the session's access and refresh tokens.</summary>
/// <param name="ExpiresIn">Seconds until the access token expires.</param>
/// <param name="RefreshToken">Opaque; exchange it at <c>POST /auth/refresh</c> for a new pair. Each one works once.</param>
/// <param name="RefreshExpiresIn">Seconds the refresh token stays valid if unused.</param>
public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken, int RefreshExpiresIn)
{
    public static TokenResponse From(IssuedSession session) => new(
        session.Access.Token, "bearer", (int)session.Access.ExpiresIn.TotalSeconds, session.RefreshToken, (int)session.RefreshExpiresIn.TotalSeconds);
}
