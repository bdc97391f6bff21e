// The whole OtpAuth system, composed: which resources exist and how they are wired.
// How each is started (container, local process or an external server) is OtpAuth.Hosting's job.
using OtpAuth.Hosting;
using OtpAuth.Hosting.ApplicationModel;
using OtpAuth.Hosting.Resources;

var builder = DistributedApplication.CreateBuilder(args);

var postgres = builder.AddPostgres("postgres").WithDataVolume();
var database = postgres.AddDatabase("otpauth");
var redis = builder.AddRedis("redis");
var mail = builder.AddMailDev("mail");

// Generated once, kept in .otpauth/secrets.json; set Parameters:<name> to supply your own.
var jwtSigningKey = builder.AddParameter("jwt-signing-key", secret: true, generatedBytes: 48);
var otpHashKey = builder.AddParameter("otp-hash-key", secret: true);

// The Web draws one box per digit and counts the resend cooldown down, so both get the Api's values from here.
var otpLength = builder.AddParameter("otp-length", defaultValue: "6");
var resendCooldown = builder.AddParameter("otp-resend-cooldown-seconds", defaultValue: "60");

var api = builder.AddProject<Projects.OtpAuth_Api>("api", port: 8000)
    .WithReference(database).WaitFor(database)
    .WithReference(redis).WaitFor(redis)
    .WithReference(mail).WaitFor(mail)
    .WithEnvironment("Jwt__SigningKey", jwtSigningKey)
    .WithEnvironment("Otp__HashKey", otpHashKey)
    .WithEnvironment("Otp__Length", otpLength)
    .WithEnvironment("Otp__ResendCooldownSeconds", resendCooldown)
    .WithExternalHttpEndpoints();

builder.AddProject<Projects.OtpAuth_Web>("web", port: 5500)
    .WithReference(api).WaitFor(api)
    .WithEnvironment("Otp__Length", otpLength)
    .WithEnvironment("Otp__ResendCooldownSeconds", resendCooldown)
    .WithExternalHttpEndpoints();

builder.Build().Run();
