// The whole OtpAuth system, composed: which resources exist and how they are wired.
// Where PostgreSQL, Redis and the mail server come from (a server named in configuration, Aspire's own container, or a
// local process when no container engine answers) is chosen by OtpAuth.Hosting while the model is built.
using OtpAuth.Hosting;

var builder = DistributedApplication.CreateBuilder(args).UseFreeDashboardPorts();

var database = builder.AddPostgresDatabase(serverName: "postgres", databaseName: "otpauth");
var redis = builder.AddRedisServer("redis");
var mail = builder.AddMailServer("mail", smtpPort: builder.PreferredPort(1025, "mail"), inboxPort: builder.PreferredPort(1080, "mail"));

// Generated once and kept in the AppHost's user secrets; set Parameters:<name> to supply your own.
var jwtKeyRingSecret = builder.AddParameter("jwt-key-ring-secret", new GenerateParameterDefault { MinLength = 64, Special = false }, secret: true, persist: true);
var otpHashKey = builder.AddParameter("otp-hash-key", new GenerateParameterDefault { MinLength = 64, Special = false }, secret: true, persist: true);

// The Api's code length and resend cooldown; the page reads them from the Api (GET /auth/settings).
var otpLength = builder.AddParameter("otp-length", "6");
var resendCooldown = builder.AddParameter("otp-resend-cooldown-seconds", "60");

// Not an external endpoint: only the Web faces clients, and the Api believes X-Forwarded-For from the Web alone.
var api = builder.AddProject<Projects.OtpAuth_Api>("api")
    .WithHttpEndpoint(port: builder.PreferredPort(8000, "api"))
    .WithUrlForEndpoint("http", url => url.DisplayText = "API")
    .WithOtpAuthApiWiring(new(database, redis, mail, jwtKeyRingSecret, otpHashKey, otpLength, resendCooldown));
if (builder.ExecutionContext.IsRunMode)
{
    api.WithUrl("/docs", "API docs");
}

var web = builder.AddProject<Projects.OtpAuth_Web>("web")
    .WithHttpEndpoint(port: builder.PreferredPort(5500, "web"))
    .WithHttpHealthCheck("/health")
    .WithUrlForEndpoint("http", url => url.DisplayText = "OtpAuth")
    .WithReference(api.GetEndpoint("http")).WaitFor(api)
    .WithExternalHttpEndpoints();
api.WithPasskeyOrigin(web.GetEndpoint("http"));

builder.Build().Run();
