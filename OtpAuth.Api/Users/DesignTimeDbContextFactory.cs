using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace OtpAuth.Api.Users;

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build the model without starting the service (which would want every secret
/// and a reachable database). Only the provider matters here; the connection string is never opened.
/// </summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<OtpAuthDbContext>
{
    public OtpAuthDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<OtpAuthDbContext>().UseNpgsql("Host=localhost;Database=otpauth").Options);
}
