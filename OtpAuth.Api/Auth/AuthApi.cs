using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Otp;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.RateLimiting;
using OtpAuth.Api.Security;

namespace OtpAuth.Api.Auth;

/// <summary>The <c>/auth</c> endpoints of DESIGN.md §3.</summary>
public static class AuthApi
{
    public const string InvalidCode = "Invalid or expired code";
    public const string InvalidCredentials = "Invalid email or password";
    public const string NotVerified = "Email not verified";
    public const string AlreadyRegistered = "Email already registered";
    public const string EmailNotSent = "The verification email could not be sent. Please try again in a moment.";

    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/auth").WithTags("Auth");

        group.MapPost("/register", Register)
            .WithName("Register")
            .WithSummary("Create an account and email a verification code")
            .WithDescription("Stores the account unverified and emails a one-time code to the address. Registering an "
                + "address whose account is still unverified replaces its password and sends a new code.")
            .WithRequestExample(new RegisterRequest("ada@example.com", "correct horse battery staple"))
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRateLimit(RateLimitedEndpoint.Register);

        group.MapPost("/verify-otp", VerifyOtp)
            .WithName("VerifyOtp")
            .WithSummary("Verify the account with the emailed code")
            .WithDescription("A code works once. Any failure (wrong, expired, used, unknown email, already verified) "
                + "answers the same 400. Too many wrong codes for an address in an hour answer 429.")
            .WithRequestExample(new VerifyOtpRequest("ada@example.com", "123456"))
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRateLimit(RateLimitedEndpoint.VerifyOtp);

        group.MapPost("/resend-otp", ResendOtp)
            .WithName("ResendOtp")
            .WithSummary("Email a new code, voiding the previous one")
            .WithDescription("Answers the same whether or not the address has an unverified account. Limited per "
                + "address by a cooldown and an hourly cap; 429 carries Retry-After.")
            .WithRequestExample(new ResendOtpRequest("ada@example.com"))
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRateLimit(RateLimitedEndpoint.ResendOtp);

        group.MapPost("/login", Login)
            .WithName("Login")
            .WithSummary("Exchange email and password for a bearer token")
            .WithRequestExample(new LoginRequest("ada@example.com", "correct horse battery staple"))
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRateLimit(RateLimitedEndpoint.Login);

        group.MapGet("/me", Me)
            .WithName("Me")
            .WithSummary("The account the bearer token belongs to")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRateLimit(RateLimitedEndpoint.Me);

        return group;
    }

    public static async Task<Results<Accepted<RegisterResponse>, ValidationProblem, ProblemHttpResult>> Register(
        RegisterRequest request, AuthService auth, PasswordPolicy passwordPolicy, HttpContext context, CancellationToken cancellationToken)
    {
        var response = context.Response;
        var email = EmailAddress.Normalize(request.Email, out var emailError);
        var passwordError = await passwordPolicy.ValidateNewAsync(request.Password, email, cancellationToken);
        if (email is null || passwordError is not null)
        {
            return Invalid(("email", emailError), ("password", passwordError));
        }

        var result = await auth.RegisterAsync(email, PasswordRules.Normalize(request.Password!), ClientAddress.For(context), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.Accepted((string?)null, new RegisterResponse(
                "Registration received. Check your email for the verification code.", email, (int)auth.CodeLifetime.TotalSeconds)),
            AuthStatus.AlreadyRegistered => Problem(StatusCodes.Status409Conflict, AlreadyRegistered),
            AuthStatus.RateLimited => TooManyRequests(response, result.RetryAfter, "Too many codes were requested for this address."),
            AuthStatus.Busy => Unavailable(response, result.RetryAfter),
            _ => Problem(StatusCodes.Status503ServiceUnavailable, EmailNotSent),
        };
    }

    public static async Task<Results<Ok<VerifyOtpResponse>, ValidationProblem, ProblemHttpResult>> VerifyOtp(
        VerifyOtpRequest request, AuthService auth, IOptions<OtpOptions> otpOptions, HttpContext context, CancellationToken cancellationToken)
    {
        var response = context.Response;
        var email = EmailAddress.Normalize(request.Email, out var emailError);
        var length = otpOptions.Value.Length;
        var codeError = OtpCodeGenerator.IsWellFormed(request.Code, length) ? null : $"Code must be exactly {length} digits.";
        if (email is null || codeError is not null)
        {
            return Invalid(("email", emailError), ("code", codeError));
        }

        var result = await auth.VerifyAsync(email, request.Code!, ClientAddress.For(context), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.Ok(new VerifyOtpResponse("Email verified. You can now log in.", Verified: true)),
            AuthStatus.RateLimited => TooManyRequests(response, result.RetryAfter, "Too many wrong codes for this address."),
            _ => Problem(StatusCodes.Status400BadRequest, InvalidCode),
        };
    }

    public static async Task<Results<Accepted<ResendOtpResponse>, ValidationProblem, ProblemHttpResult>> ResendOtp(
        ResendOtpRequest request, AuthService auth, HttpResponse response)
    {
        var email = EmailAddress.Normalize(request.Email, out var emailError);
        if (email is null)
        {
            return Invalid(("email", emailError));
        }

        var result = await auth.ResendAsync(email);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.Accepted((string?)null, new ResendOtpResponse(
                "If the address has an account waiting for verification, a new code is on its way.")),
            AuthStatus.RateLimited => TooManyRequests(response, result.RetryAfter, "Too many codes were requested for this address."),
            _ => Unavailable(response, result.RetryAfter),
        };
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> Login(
        LoginRequest request, AuthService auth, HttpContext context, CancellationToken cancellationToken)
    {
        var response = context.Response;
        var email = EmailAddress.Normalize(request.Email, out var emailError);
        var password = request.Password;
        // Login checks only presence: the length rules are for choosing a password, not for typing one.
        var passwordError = string.IsNullOrEmpty(password) ? "Password is required." : null;
        if (email is null || passwordError is not null)
        {
            return Invalid(("email", emailError), ("password", passwordError));
        }

        var result = await auth.LoginAsync(email, PasswordRules.Normalize(password!), ClientAddress.For(context), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.Ok(new TokenResponse(
                result.Token!.Value.Token, "bearer", (int)result.Token.Value.ExpiresIn.TotalSeconds)),
            AuthStatus.NotVerified => Problem(StatusCodes.Status403Forbidden, NotVerified),
            AuthStatus.RateLimited => TooManyRequests(response, result.RetryAfter, "Too many failed logins for this address."),
            _ => Problem(StatusCodes.Status401Unauthorized, InvalidCredentials),
        };
    }

    public static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> Me(
        ClaimsPrincipal principal, AuthService auth, CancellationToken cancellationToken)
    {
        var user = Guid.TryParse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub), out var id)
            ? await auth.FindByIdAsync(id, cancellationToken)
            : null;
        return user is null
            ? Problem(StatusCodes.Status401Unauthorized, "The token does not belong to an existing account.")
            : TypedResults.Ok(new MeResponse(user.Id, user.Email, user.CreatedAt, user.VerifiedAt));
    }

    private static ProblemHttpResult Problem(int status, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status);

    /// <summary>429 with <c>Retry-After</c> in whole seconds (at least 1) and the wait in words.</summary>
    public static ProblemHttpResult TooManyRequests(HttpResponse response, TimeSpan retryAfter, string reason)
    {
        var seconds = SetRetryAfter(response, retryAfter);
        return Problem(StatusCodes.Status429TooManyRequests, $"{reason} Try again in {DurationText.Describe(TimeSpan.FromSeconds(seconds))}.");
    }

    private static ProblemHttpResult Unavailable(HttpResponse response, TimeSpan retryAfter)
    {
        var seconds = SetRetryAfter(response, retryAfter > TimeSpan.Zero ? retryAfter : TimeSpan.FromSeconds(5));
        return Problem(StatusCodes.Status503ServiceUnavailable,
            $"The service is busy and could not send the email now. Please try again in {DurationText.Describe(TimeSpan.FromSeconds(seconds))}.");
    }

    private static int SetRetryAfter(HttpResponse response, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return seconds;
    }

    private static ValidationProblem Invalid(params (string Field, string? Error)[] fields)
    {
        var errors = fields
            .Where(f => f.Error is not null)
            .ToDictionary(f => f.Field, f => new[] { f.Error! });
        return TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.Select(e => e[0])));
    }
}
