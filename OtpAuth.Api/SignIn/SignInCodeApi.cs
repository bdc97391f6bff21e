using Microsoft.AspNetCore.Http.HttpResults;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Otp;
using OtpAuth.Api.RateLimiting;
using OtpAuth.Api.Security;
using OtpAuth.Api.Sessions;
using OtpAuth.Api.Verification;

namespace OtpAuth.Api.SignIn;

public sealed record SignInCodeRequest(string? Email) : IAddressedRequest;

/// <param name="SignInId">This sign-in's id: the code mailed for it works only with it.</param>
/// <param name="OtpExpiresIn">Seconds the emailed code stays valid.</param>
/// <param name="CodeLength">Characters of the mailed code, if the address has an account (the same for every address).</param>
public sealed record SignInCodeResponse(string Message, Guid SignInId, int OtpExpiresIn, int CodeLength);

public sealed record SignInCodeVerifyRequest(string? Email, string? Code, string? SignInId) : IAddressedRequest;

/// <summary><c>POST /auth/sign-in/code</c> and <c>POST /auth/sign-in/code/verify</c> (when <c>Auth:EmailCodeSignIn</c> is on).</summary>
public static class SignInCodeApi
{
    public const string Answer = "If this address has an account, a sign-in code is on its way.";

    public static RouteGroupBuilder MapSignInCodeApi(this RouteGroupBuilder group)
    {
        var signIn = group.MapGroup("/sign-in/code");
        signIn.MapPost("", Request)
            .WithName("SignInCode")
            .WithSummary("Email a sign-in code to the address, if it has a verified account")
            .WithDescription("Answers 202 with the same body, after the same work, for every address; the sign_in_id of an "
                + "address without an account matches no code. A new request voids the address's previous sign-in code.")
            .WithRequestExample(new SignInCodeRequest("ada@example.com"))
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRateLimit(RateLimitedEndpoint.SignInCode);

        signIn.MapPost("/verify", Verify)
            .WithName("SignInCodeVerify")
            .WithSummary("Exchange the emailed code of a sign-in for a token pair (a new session, amr otp)")
            .WithRequestExample(new SignInCodeVerifyRequest("ada@example.com", "123456", "0197a3e2-5b1c-7c4e-9a0b-3f2d1e4c5b6a"))
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRateLimit(RateLimitedEndpoint.SignInCodeVerify);
        return group;
    }

    public static async Task<Results<Accepted<SignInCodeResponse>, ValidationProblem, ProblemHttpResult>> Request(
        SignInCodeRequest request, SignInCodeFlow signIn, HttpContext context)
    {
        var email = EmailAddress.Normalize(request.Email, out var emailError);
        if (email is null)
        {
            return AuthApi.Invalid(("email", emailError));
        }

        var result = await signIn.RequestAsync(email, ClientAddress.NetworksOf(context));
        return result.Status == AuthStatus.Success
            ? TypedResults.Accepted((string?)null, new SignInCodeResponse(Answer, result.FlowId!.Value, (int)signIn.CodeLifetime.TotalSeconds, result.CodeLength))
            : AuthApi.TooManyRequests(context.Response, result.RetryAfter, "Too many codes were requested for this address.");
    }

    public static async Task<Results<Ok<TokenResponse>, Ok<Mfa.MfaRequiredResponse>, ValidationProblem, ProblemHttpResult>> Verify(
        SignInCodeVerifyRequest request, SignInCodeFlow signIn, OtpCodeGenerator codes, Microsoft.Extensions.Options.IOptions<Mfa.MfaOptions> mfa,
        HttpContext context, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Normalize(request.Email, out var emailError);
        var code = codes.Canonical(request.Code);
        var codeError = code is null ? codes.FormatError() : null;
        var id = AuthApi.ParseFlowId(request.SignInId, "sign_in_id", "the sign-in code answer", "sign-in", out var idError);
        if (email is null || code is null || id is null)
        {
            return AuthApi.Invalid(("email", emailError), ("code", codeError), ("sign_in_id", idError));
        }

        var result = await signIn.VerifyAsync(email, code, id.Value, ClientAddress.NetworksOf(context), ClientAddress.For(context),
            context.Request.Headers.UserAgent.ToString(), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.Ok(TokenResponse.From(result.Session!)),
            AuthStatus.SecondFactorRequired => Mfa.MfaApi.Required(result, mfa),
            AuthStatus.RateLimited => AuthApi.TooManyRequests(context.Response, result.RetryAfter, "Too many wrong codes for this address."),
            _ => AuthApi.Problem(StatusCodes.Status400BadRequest, VerificationApi.InvalidCode),
        };
    }
}
