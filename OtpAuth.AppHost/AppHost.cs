// The whole OtpAuth system, composed: which resources exist and how they are wired.
// Where PostgreSQL, Redis and the mail server come from (a server named in configuration, Aspire's own container, or a
// local process when no container engine answers) is chosen by OtpAuth.Hosting while the model is built.
using Microsoft.Extensions.Hosting;
using OtpAuth.Hosting;

var builder = DistributedApplication.CreateBuilder(args).UseFreeDashboardPorts();

var database = builder.AddPostgresDatabase(serverName: "postgres", databaseName: "otpauth");
var redis = builder.AddRedisServer("redis");
var mail = builder.AddMailServer("mail", smtpPort: builder.PreferredPort(1025, "mail"), inboxPort: builder.PreferredPort(1080, "mail"));

// Generated once and kept in the AppHost's user secrets; set Parameters:<name> to supply your own.
var jwtKeyRingSecret = builder.AddParameter("jwt-key-ring-secret", new GenerateParameterDefault { MinLength = 64, Special = false }, secret: true, persist: true);
var otpHashKey = builder.AddParameter("otp-hash-key", new GenerateParameterDefault { MinLength = 64, Special = false }, secret: true, persist: true);

// The Web draws one box per digit and counts the resend cooldown down, so both get the Api's values from here.
var otpLength = builder.AddParameter("otp-length", "6");
var resendCooldown = builder.AddParameter("otp-resend-cooldown-seconds", "60");

var api = builder.AddProject<Projects.OtpAuth_Api>("api")
    .WithHttpEndpoint(port: builder.PreferredPort(8000, "api"))
    .WithHttpHealthCheck("/health")
    .WithUrlForEndpoint("http", url => url.DisplayText = "API")
    .WithReference(database).WaitFor(database)
    .WithReference(redis).WaitFor(redis)
    .WithReference(mail).WaitFor(mail)
    .WithEnvironment("Jwt__KeyRingSecret", jwtKeyRingSecret)
    .WithEnvironment("Otp__HashKey", otpHashKey)
    .WithEnvironment("Otp__Length", otpLength)
    .WithEnvironment("Otp__ResendCooldownSeconds", resendCooldown);
// Not an external endpoint: only the Web faces clients, and the Api believes X-Forwarded-For from the Web alone.
// Run here, the Api is a local development instance: its issuer is its own plain-http loopback URL, which the Api
// accepts in Development only, and its docs are served only there. A deployment sets its own environment.
if (builder.ExecutionContext.IsRunMode)
{
    api.WithEnvironment("ASPNETCORE_ENVIRONMENT", Environments.Development)
        .WithUrl("/docs", "API docs");
}

// The Api's own URL is the tokens' issuer, so any JwtBearer with Authority = that URL finds the keys by discovery.
api.WithEnvironment("Jwt__Issuer", api.GetEndpoint("http"));

builder.AddProject<Projects.OtpAuth_Web>("web")
    .WithHttpEndpoint(port: builder.PreferredPort(5500, "web"))
    .WithHttpHealthCheck("/health")
    .WithUrlForEndpoint("http", url => url.DisplayText = "OtpAuth")
    .WithReference(api.GetEndpoint("http")).WaitFor(api)
    .WithEnvironment("Otp__Length", otpLength)
    .WithEnvironment("Otp__ResendCooldownSeconds", resendCooldown)
    .WithExternalHttpEndpoints();

builder.Build().Run();
