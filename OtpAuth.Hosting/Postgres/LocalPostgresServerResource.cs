using Aspire.Hosting.ApplicationModel;

namespace OtpAuth.Hosting.Postgres;

/// <summary>
/// A PostgreSQL server run from the machine's own binaries (<c>postgres</c>, after a one-time <c>initdb</c>), with
/// password authentication for the superuser <c>postgres</c>. Aspire's <c>PostgresServerResource</c> is a container;
/// this is its local-process twin, with the same connection string form.
/// </summary>
public sealed class LocalPostgresServerResource(string name, string command, string dataDirectory, string binDirectory, ParameterResource password)
    : ExecutableResource(name, command, Path.GetDirectoryName(dataDirectory)!), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";
    internal const string UserName = "postgres";

    private readonly Dictionary<string, string> _databases = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The TCP endpoint clients connect to.</summary>
    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    /// <summary>The superuser's password: a generated secret parameter, kept across runs like the data.</summary>
    public ParameterResource PasswordParameter { get; } = password;

    /// <summary>The data directory (PGDATA); created by <c>initdb</c> on the first start.</summary>
    public string DataDirectory { get; } = dataDirectory;

    /// <summary>The folder of <c>initdb</c> and <c>postgres</c>.</summary>
    public string BinDirectory { get; } = binDirectory;

    /// <summary>Databases created on this server when it is ready: resource name → database name.</summary>
    public IReadOnlyDictionary<string, string> Databases => _databases;

    /// <summary><c>Host=…;Port=…;Username=postgres;Password=…</c>, as Aspire's own PostgreSQL resource gives it.</summary>
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={PasswordParameter}");

    internal void AddDatabase(string resourceName, string databaseName) => _databases.TryAdd(resourceName, databaseName);
}
