using Microsoft.AspNetCore.Http.HttpResults;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Email;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.RateLimiting;
using OtpAuth.Api.Security;

namespace OtpAuth.Api.Registration;

public sealed record RegisterRequest(string? Email, string? Password) : IAddressedRequest;

/// <param name="OtpExpiresIn">Seconds the emailed code stays valid.</param>
/// <param name="RegistrationId">This registration's id: verify and resend name it, so a code only ever verifies its own registration.</param>
/// <param name="CodeLength">Characters of the mailed code: the usual digits, or letters and digits once the address's codes were guessed at.</param>
public sealed record RegisterResponse(string Message, string Email, int OtpExpiresIn, Guid RegistrationId, int CodeLength);

public sealed record ResendOtpRequest(string? Email, string? RegistrationId) : IAddressedRequest;

/// <param name="CodeLength">Characters of the mailed code, as in the register answer.</param>
public sealed record ResendOtpResponse(string Message, int CodeLength);

/// <summary><c>POST /auth/register</c> and <c>POST /auth/resend-otp</c>.</summary>
public static class RegistrationApi
{
    public const string AlreadyRegistered = "Email already registered";
    public const string EmailNotSent = "The verification email could not be sent. Please try again in a moment.";

    public static RouteGroupBuilder MapRegistrationApi(this RouteGroupBuilder group)
    {
        group.MapPost("/register", Register)
            .WithName("Register")
            .WithSummary("Start a registration and email its verification code")
            .WithDescription("Stores a pending registration (this password, its own code) and emails the code. Nothing is an "
                + "account until the code is entered at verify-otp with the registration_id answered here; registering the "
                + "address again starts another registration and leaves this one as it is.")
            .WithRequestExample(new RegisterRequest("ada@example.com", "correct horse battery staple"))
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRateLimit(RateLimitedEndpoint.Register);

        group.MapPost("/resend-otp", ResendOtp)
            .WithName("ResendOtp")
            .WithSummary("Email a new code for a registration, voiding its previous one")
            .WithDescription("Answers the same whatever exists. Limited per registration by a cooldown and per address by "
                + "hourly caps; 429 carries Retry-After.")
            .WithRequestExample(new ResendOtpRequest("ada@example.com", "0197a3e2-5b1c-7c4e-9a0b-3f2d1e4c5b6a"))
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRateLimit(RateLimitedEndpoint.ResendOtp);

        return group;
    }

    public static async Task<Results<Accepted<RegisterResponse>, ValidationProblem, ProblemHttpResult>> Register(
        RegisterRequest request, RegistrationFlow registration, PasswordPolicy passwordPolicy, HttpContext context, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Normalize(request.Email, out var emailError);
        var passwordError = passwordPolicy.Validate(request.Password, email);
        if (email is null || passwordError is not null)
        {
            return AuthApi.Invalid(("email", emailError), ("password", passwordError));
        }

        var result = await registration.RegisterAsync(email, PasswordRules.Normalize(request.Password!), MailLanguage.FromRequest(context.Request), ClientAddress.NetworksOf(context), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.Accepted((string?)null, new RegisterResponse(
                "Registration received. Check your email for the verification code.", email, (int)registration.CodeLifetime.TotalSeconds,
                result.RegistrationId!.Value, result.CodeLength)),
            AuthStatus.AlreadyRegistered => AuthApi.Problem(StatusCodes.Status409Conflict, AlreadyRegistered),
            AuthStatus.RateLimited => AuthApi.TooManyRequests(context.Response, result.RetryAfter, "Too many codes were requested for this address."),
            AuthStatus.Busy => AuthApi.Unavailable(context.Response, result.RetryAfter),
            _ => AuthApi.Problem(StatusCodes.Status503ServiceUnavailable, EmailNotSent),
        };
    }

    public static async Task<Results<Accepted<ResendOtpResponse>, ValidationProblem, ProblemHttpResult>> ResendOtp(
        ResendOtpRequest request, RegistrationFlow registration, HttpContext context, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Normalize(request.Email, out var emailError);
        var id = AuthApi.ParseRegistrationId(request.RegistrationId, out var idError);
        if (email is null || id is null)
        {
            return AuthApi.Invalid(("email", emailError), ("registration_id", idError));
        }

        var result = await registration.ResendAsync(email, id.Value, ClientAddress.NetworksOf(context), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.Accepted((string?)null, new ResendOtpResponse(
                "If this registration is still waiting for its code, a new code is on its way.", result.CodeLength)),
            AuthStatus.RateLimited => AuthApi.TooManyRequests(context.Response, result.RetryAfter, "Too many codes were requested for this address."),
            AuthStatus.Busy => AuthApi.Unavailable(context.Response, result.RetryAfter),
            _ => AuthApi.Problem(StatusCodes.Status503ServiceUnavailable, EmailNotSent),
        };
    }
}
