using System.Net;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Otp;
using StackExchange.Redis;
using System.Text.Json;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Api;

/// <summary>The contract of docs/api.md, row by row, through the running Api with real PostgreSQL, Redis and SMTP.</summary>
public sealed class AuthFlowTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system);

    [Fact]
    public async Task Register_verify_login_and_me_work_end_to_end()
    {
        var email = AuthClient.NewAddress();

        using var registered = await _client.RegisterAsync(email);
        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        var registration = await AuthClient.ReadJsonAsync(registered);
        Assert.Equal(email, registration.GetProperty("email").GetString());
        Assert.Equal(120, registration.GetProperty("otp_expires_in").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(registration.GetProperty("message").GetString()));

        var code = await _client.Mail.WaitForCodeAsync(email, TestContext.Current.CancellationToken);
        using var verified = await _client.VerifyAsync(email, code);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.True((await AuthClient.ReadJsonAsync(verified)).GetProperty("verified").GetBoolean());

        using var login = await _client.LoginAsync(email);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = await AuthClient.ReadJsonAsync(login);
        Assert.Equal("bearer", token.GetProperty("token_type").GetString());
        Assert.Equal(15 * 60, token.GetProperty("expires_in").GetInt32());
        Assert.Equal(30 * 24 * 3600, token.GetProperty("refresh_expires_in").GetInt32());
        Assert.Equal(43, token.GetProperty("refresh_token").GetString()!.Length); // 256 random bits, base64url

        using var me = await _client.MeAsync(token.GetProperty("access_token").GetString());
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var account = await AuthClient.ReadJsonAsync(me);
        Assert.Equal(email, account.GetProperty("email").GetString());
        Assert.Equal(7, Guid.Parse(account.GetProperty("id").GetString()!).Version);
        var createdAt = account.GetProperty("created_at").GetDateTimeOffset();
        var verifiedAt = account.GetProperty("verified_at").GetDateTimeOffset();
        Assert.Equal(TimeSpan.Zero, createdAt.Offset);
        Assert.InRange(verifiedAt - createdAt, TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task The_code_mail_has_a_text_and_an_html_part_stating_the_code_and_its_lifetime()
    {
        var email = AuthClient.NewAddress();
        using var registered = await _client.RegisterAsync(email);

        var code = await _client.Mail.WaitForCodeAsync(email, TestContext.Current.CancellationToken);
        var mail = Assert.Single(await _client.Mail.GetMessagesToAsync(email, TestContext.Current.CancellationToken));
        Assert.Contains(code, mail.Text, StringComparison.Ordinal);
        Assert.Contains(code, mail.Html, StringComparison.Ordinal);
        Assert.Contains("2 minutes", mail.Text, StringComparison.Ordinal);
        Assert.Contains("2 minutes", mail.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_with_the_right_code_twice_succeeds_once()
    {
        var email = AuthClient.NewAddress();
        var code = await _client.RegisterAndVerifyAsync(email);

        using var again = await _client.VerifyAsync(email, code);

        await AuthClient.AssertProblemAsync(again, HttpStatusCode.BadRequest, "Invalid or expired code");
    }

    [Fact]
    public async Task Verify_answers_the_same_400_for_a_wrong_code_an_unknown_registration_and_a_verified_one()
    {
        var pending = AuthClient.NewAddress();
        using var registered = await _client.RegisterAsync(pending);
        var code = await _client.Mail.WaitForCodeAsync(pending, TestContext.Current.CancellationToken);
        var verifiedEmail = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(verifiedEmail);
        // No HTTP call mints a code for a registration already verified (it is gone), so a valid one is stored the way
        // the Api stores them: the right code reaches the "registration still live" check itself.
        await SaveCodeAsync(verifiedEmail, _client.RegistrationOf(verifiedEmail), "424242");

        using var wrong = await _client.VerifyAsync(pending, AuthClient.WrongCodeFor(code));
        using var unknownAddress = await _client.VerifyAsync(AuthClient.NewAddress(), "123456");
        using var unknownRegistration = await _client.VerifyAsync(pending, code, Guid.CreateVersion7().ToString());
        using var alreadyVerified = await _client.VerifyAsync(verifiedEmail, "424242");

        foreach (var response in new[] { wrong, unknownAddress, unknownRegistration, alreadyVerified })
        {
            await AuthClient.AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid or expired code");
        }
    }

    /// <summary>Stores <paramref name="code"/> as the current code of a registration in the Redis of <c>api</c>, under its key.</summary>
    private async Task SaveCodeAsync(string email, string registrationId, string code)
    {
        var redisConnection = await system.GetConnectionStringAsync("redis", TestContext.Current.CancellationToken);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(redisConnection!);
        var options = Options.Create(new OtpOptions { HashKey = TestApp.OtpHashKey });
        var store = new OtpStore(redis, new OtpHasher(options), options, Options.Create(new OtpAuth.Api.RateLimiting.RateLimitOptions()), TimeProvider.System);
        await store.SaveCodeAsync(new CodeSubject(CodePurpose.Registration, Guid.Parse(registrationId), email), code);
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12a456")]
    [InlineData("١٢٣٤٥٦")]
    public async Task Verify_refuses_a_code_that_is_not_six_ascii_digits_as_a_validation_error(string code)
    {
        using var response = await _client.VerifyAsync(AuthClient.NewAddress(), code);

        var problem = await AuthClient.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("code", out _));
    }

    [Theory]
    [InlineData("not-an-email", AuthClient.Password, "email")]
    [InlineData("two@@example.com", AuthClient.Password, "email")]
    [InlineData("nodot@localhost", AuthClient.Password, "email")]
    [InlineData("", AuthClient.Password, "email")]
    [InlineData("ok@example.test", "short", "password")]
    [InlineData("ok@example.test", "", "password")]
    public async Task Register_refuses_invalid_input_naming_the_field(string email, string password, string field)
    {
        using var response = await _client.RegisterAsync(email, password);

        var problem = await AuthClient.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages));
        Assert.NotEmpty(messages.EnumerateArray());
    }

    [Fact]
    public async Task Register_refuses_an_email_over_254_characters_and_a_password_over_128_code_points()
    {
        var longEmail = new string('a', 64) + "@" + new string('b', 187) + ".test"; // 257 characters
        using var tooLongEmail = await _client.RegisterAsync(longEmail);
        using var tooLongPassword = await _client.RegisterAsync(AuthClient.NewAddress(), new string('p', 129));
        using var longestPassword = await _client.RegisterAsync(AuthClient.NewAddress(), string.Concat(Enumerable.Range(0, 128).Select(i => char.ConvertFromUtf32(0x1F600 + (i * 37 % 80)))));

        var emailProblem = await AuthClient.AssertProblemAsync(tooLongEmail, HttpStatusCode.BadRequest);
        Assert.True(emailProblem.GetProperty("errors").TryGetProperty("email", out _));
        var passwordProblem = await AuthClient.AssertProblemAsync(tooLongPassword, HttpStatusCode.BadRequest);
        Assert.True(passwordProblem.GetProperty("errors").TryGetProperty("password", out _));
        Assert.Equal(HttpStatusCode.Accepted, longestPassword.StatusCode); // 128 code points, 256 UTF-16 units
    }

    [Fact]
    public async Task Registering_a_verified_address_again_answers_409()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);

        using var again = await _client.RegisterAsync(email, "another violet tractor lagoon");

        await AuthClient.AssertProblemAsync(again, HttpStatusCode.Conflict, "Email already registered");
        using var login = await _client.LoginAsync(email);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task Resend_within_the_cooldown_answers_429_with_Retry_After()
    {
        var email = AuthClient.NewAddress();
        using var registered = await _client.RegisterAsync(email);

        using var resend = await _client.ResendAsync(email);

        await AuthClient.AssertProblemAsync(resend, HttpStatusCode.TooManyRequests);
        var retryAfter = resend.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task The_resend_cooldown_applies_to_addresses_without_an_account_too()
    {
        var unknown = AuthClient.NewAddress();
        using var first = await _client.ResendAsync(unknown);
        using var second = await _client.ResendAsync(unknown);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        await AuthClient.AssertProblemAsync(second, HttpStatusCode.TooManyRequests);
        Assert.NotNull(second.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Login_answers_the_same_401_for_an_unknown_email_and_a_wrong_password()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);

        using var wrongPassword = await _client.LoginAsync(email, "not the password");
        using var unknownEmail = await _client.LoginAsync(AuthClient.NewAddress());

        var wrong = await AuthClient.AssertProblemAsync(wrongPassword, HttpStatusCode.Unauthorized, "Invalid email or password");
        var unknown = await AuthClient.AssertProblemAsync(unknownEmail, HttpStatusCode.Unauthorized, "Invalid email or password");
        Assert.Equal(wrong.GetProperty("title").GetString(), unknown.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Login_says_Email_not_verified_only_to_someone_who_knows_the_password()
    {
        var email = AuthClient.NewAddress();
        using var registered = await _client.RegisterAsync(email);

        using var wrongPassword = await _client.LoginAsync(email, "not the password");
        using var rightPassword = await _client.LoginAsync(email);

        await AuthClient.AssertProblemAsync(wrongPassword, HttpStatusCode.Unauthorized, "Invalid email or password");
        await AuthClient.AssertProblemAsync(rightPassword, HttpStatusCode.Forbidden, "Email not verified");
    }

    [Fact]
    public async Task Login_refuses_missing_fields_as_validation_errors()
    {
        using var response = await _client.PostAsync("/auth/login", new { email = "ada@example.test" });

        var problem = await AuthClient.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
    }

    [Fact]
    public async Task The_docs_and_the_OpenAPI_document_are_served()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var document = await _client.Http.GetAsync("/openapi/v1.json", cancellationToken);
        using var docs = await _client.Http.GetAsync("/docs/", cancellationToken);

        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        var paths = JsonDocument.Parse(await document.Content.ReadAsStringAsync(cancellationToken)).RootElement.GetProperty("paths");
        foreach (var path in new[] { "/auth/register", "/auth/verify-otp", "/auth/resend-otp", "/auth/login", "/auth/me" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"the document describes {path}");
        }

        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Equal("text/html", docs.Content.Headers.ContentType?.MediaType);
    }

    public void Dispose() => _client.Dispose();
}
