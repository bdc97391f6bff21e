using System.Net;
using System.Text;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Api;

/// <summary>Requests the Api cannot read get problem details too (400, 413, 415), never an exception page.</summary>
public sealed class MalformedRequestTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system);

    [Theory]
    [InlineData("/auth/register", """{"email": "a@example.test", "password": """)]
    [InlineData("/auth/register", "not json at all")]
    [InlineData("/auth/login", """{"email": 42, "password": "correct horse"}""")]
    [InlineData("/auth/login", """{"email": "a@example.test", "password": ["x"]}""")]
    [InlineData("/auth/verify-otp", """{"email": "a@example.test", "code": 123456}""")]
    [InlineData("/auth/resend-otp", """["a@example.test"]""")]
    [InlineData("/auth/resend-otp", "null")]
    [InlineData("/auth/resend-otp", "")]
    public async Task Unreadable_JSON_answers_400_problem_details(string path, string body)
    {
        using var response = await SendAsync(path, body, "application/json");

        await AuthClient.AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/auth/register", "{}", "email")]
    [InlineData("/auth/register", """{"email": "a@example.test"}""", "password")]
    [InlineData("/auth/verify-otp", """{"email": "a@example.test"}""", "code")]
    [InlineData("/auth/verify-otp", """{"email": "a@example.test", "code": "123456"}""", "registration_id")]
    [InlineData("/auth/verify-otp", """{"email": "a@example.test", "code": "123456", "registration_id": "not-an-id"}""", "registration_id")]
    [InlineData("/auth/resend-otp", """{"email": "a@example.test"}""", "registration_id")]
    [InlineData("/auth/resend-otp", "{}", "email")]
    public async Task Missing_fields_answer_a_validation_problem_naming_them(string path, string body, string field)
    {
        using var response = await SendAsync(path, body, "application/json");

        var problem = await AuthClient.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors names {field}");
    }

    [Fact]
    public async Task A_body_over_16_KiB_answers_413()
    {
        var body = $$"""{"email": "a@example.test", "password": "{{new string('x', 17 * 1024)}}"}""";

        using var response = await SendAsync("/auth/register", body, "application/json");

        await AuthClient.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/xml")]
    public async Task A_body_that_is_not_JSON_answers_415(string contentType)
    {
        using var response = await SendAsync("/auth/login", """{"email": "a@example.test", "password": "x"}""", contentType);

        await AuthClient.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Unknown_paths_and_methods_answer_problem_details()
    {
        using var notFound = await _client.Http.GetAsync("/auth/nothing-here", TestContext.Current.CancellationToken);
        using var wrongMethod = await _client.Http.GetAsync("/auth/login", TestContext.Current.CancellationToken);

        await AuthClient.AssertProblemAsync(notFound, HttpStatusCode.NotFound);
        await AuthClient.AssertProblemAsync(wrongMethod, HttpStatusCode.MethodNotAllowed);
    }

    private Task<HttpResponseMessage> SendAsync(string path, string body, string contentType)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        return _client.Http.PostAsync(path, content, TestContext.Current.CancellationToken);
    }

    public void Dispose() => _client.Dispose();
}
