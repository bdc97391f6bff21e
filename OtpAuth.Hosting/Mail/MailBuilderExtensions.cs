using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OtpAuth.Hosting.Mail;

/// <summary>What every mail resource has, whichever runtime provides it: an SMTP health check and the test-email command.</summary>
public static class MailBuilderExtensions
{
    /// <summary>Healthy when the SMTP server behind the resource's connection string greets a client.</summary>
    public static IResourceBuilder<T> WithSmtpHealthCheck<T>(this IResourceBuilder<T> builder) where T : IResourceWithConnectionString
    {
        var key = $"{builder.Resource.Name}_smtp_check";
        builder.ApplicationBuilder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(key, _ => new SmtpHealthCheck(builder.Resource.GetConnectionStringAsync), failureStatus: null, tags: null));
        return builder.WithHealthCheck(key);
    }
}
