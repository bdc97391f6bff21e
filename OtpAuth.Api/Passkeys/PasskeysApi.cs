using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.RateLimiting;
using OtpAuth.Api.Security;
using OtpAuth.Api.Sessions;

namespace OtpAuth.Api.Passkeys;

/// <param name="Credential">The browser's <c>PublicKeyCredential</c> as JSON (<c>credential.toJSON()</c>).</param>
public sealed record RegisterPasskeyRequest(string? Name, JsonElement? Credential);

public sealed record PasskeyResponse(Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, bool Synced)
{
    public static PasskeyResponse From(Passkey passkey) => new(passkey.Id, passkey.Name, passkey.CreatedAt, passkey.LastUsedAt, passkey.BackedUp);
}

/// <param name="Options">The WebAuthn <c>PublicKeyCredentialRequestOptions</c>, for <c>navigator.credentials.get</c>.</param>
public sealed record PasskeySignInOptionsResponse(Guid FlowId, JsonElement Options);

public sealed record PasskeySignInRequest(string? FlowId, JsonElement? Credential);

/// <summary><c>/auth/passkeys</c>: add, list and remove an account's passkeys; sign in with one.</summary>
public static class PasskeysApi
{
    public const string NotVerified = "The passkey could not be verified.";

    public static RouteGroupBuilder MapPasskeysApi(this RouteGroupBuilder group)
    {
        var passkeys = group.MapGroup("/passkeys");
        SessionsApi.Account(passkeys.MapPost("/register/options", RegistrationOptions)
            .WithName("PasskeyRegistrationOptions")
            .WithSummary("WebAuthn creation options for a new passkey of the account (navigator.credentials.create)"))
            .RequireRecentAuthentication();
        SessionsApi.Account(passkeys.MapPost("/register", Register)
            .WithName("RegisterPasskey")
            .WithSummary("Save the passkey the browser created from the last options")
            .ProducesJsonBodyProblems());
        SessionsApi.Account(passkeys.MapGet("", List).WithName("Passkeys").WithSummary("The account's passkeys"));
        SessionsApi.Account(passkeys.MapDelete("/{id:guid}", Remove)
            .WithName("RemovePasskey")
            .WithSummary("Remove one of the account's passkeys")
            .ProducesProblem(StatusCodes.Status404NotFound))
            .RequireRecentAuthentication();

        passkeys.MapPost("/sign-in/options", SignInOptions)
            .WithName("PasskeySignInOptions")
            .WithSummary("WebAuthn request options for any passkey of this site (no address typed), and the flow they belong to")
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithRateLimit(RateLimitedEndpoint.PasskeySignIn);
        passkeys.MapPost("/sign-in", SignIn)
            .WithName("PasskeySignIn")
            .WithSummary("Exchange a passkey's answer to the flow's challenge for a token pair (a new session; no second step)")
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithRateLimit(RateLimitedEndpoint.PasskeySignIn);
        return group;
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> RegistrationOptions(
        PasskeyFlow flow, ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        var (user, _) = SessionsApi.Identify(principal);
        return await flow.RegistrationOptionsAsync(user, cancellationToken) is { } options
            ? TypedResults.Content(options, "application/json")
            : AuthApi.Problem(StatusCodes.Status401Unauthorized, "The token does not belong to an existing account.");
    }

    public static async Task<Results<Created<PasskeyResponse>, ValidationProblem, ProblemHttpResult>> Register(
        RegisterPasskeyRequest request, PasskeyFlow flow, ClaimsPrincipal principal, HttpContext context, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim();
        var nameError = string.IsNullOrEmpty(name) ? "name is required: what the person calls this passkey."
            : name.Length > PasskeyFlow.MaxNameLength ? $"name must be at most {PasskeyFlow.MaxNameLength} characters." : null;
        var credentialError = request.Credential is not { ValueKind: JsonValueKind.Object } ? "credential is required: the browser's PublicKeyCredential as JSON." : null;
        if (nameError is not null || credentialError is not null)
        {
            return AuthApi.Invalid(("name", nameError), ("credential", credentialError));
        }

        var (user, _) = SessionsApi.Identify(principal);
        var passkey = await flow.RegisterAsync(user, name!, request.Credential!.Value, ClientAddress.For(context), cancellationToken);
        return passkey is null
            ? AuthApi.Problem(StatusCodes.Status400BadRequest, NotVerified + " Ask for new options and try again.")
            : TypedResults.Created($"/auth/passkeys/{passkey.Id}", PasskeyResponse.From(passkey));
    }

    public static async Task<Ok<List<PasskeyResponse>>> List(PasskeyFlow flow, ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        var (user, _) = SessionsApi.Identify(principal);
        return TypedResults.Ok((await flow.ListAsync(user, cancellationToken)).Select(PasskeyResponse.From).ToList());
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Remove(
        Guid id, PasskeyFlow flow, ClaimsPrincipal principal, HttpContext context, CancellationToken cancellationToken)
    {
        var (user, _) = SessionsApi.Identify(principal);
        return await flow.RemoveAsync(user, id, ClientAddress.For(context), cancellationToken)
            ? TypedResults.NoContent()
            : AuthApi.Problem(StatusCodes.Status404NotFound, "This account has no passkey with that id.");
    }

    public static async Task<Ok<PasskeySignInOptionsResponse>> SignInOptions(PasskeyFlow flow, CancellationToken cancellationToken)
    {
        var (flowId, options) = await flow.SignInOptionsAsync(cancellationToken);
        return TypedResults.Ok(new PasskeySignInOptionsResponse(flowId, JsonDocument.Parse(options).RootElement.Clone()));
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> SignIn(
        PasskeySignInRequest request, PasskeyFlow flow, HttpContext context, CancellationToken cancellationToken)
    {
        var id = AuthApi.ParseFlowId(request.FlowId, "flow_id", "the sign-in options answer", "sign-in", out var idError);
        var credentialError = request.Credential is not { ValueKind: JsonValueKind.Object } ? "credential is required: the browser's PublicKeyCredential as JSON." : null;
        if (id is null || credentialError is not null)
        {
            return AuthApi.Invalid(("flow_id", idError), ("credential", credentialError));
        }

        var session = await flow.SignInAsync(id.Value, request.Credential!.Value, context.Request.Headers.UserAgent.ToString(), ClientAddress.For(context), cancellationToken);
        return session is null
            ? AuthApi.Problem(StatusCodes.Status401Unauthorized, NotVerified)
            : TypedResults.Ok(TokenResponse.From(session));
    }
}
