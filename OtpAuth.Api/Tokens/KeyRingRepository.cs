using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.Repositories;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Tokens;

/// <summary>
/// Data Protection's key ring in the <c>DataProtectionKeys</c> table, as <c>PersistKeysToDbContext</c> keeps it (the same
/// rows, so either reads the other's). Its own rather than that package's repository: the package's queries live in its
/// assembly, where EF Core's query precompiler cannot reach them, so the Native AOT build could not load the ring
/// (docs/native-aot.md).
/// </summary>
internal sealed class KeyRingRepository(IServiceScopeFactory scopes) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var scope = scopes.CreateScope();
        var context = scope.ServiceProvider.GetRequiredService<OtpAuthDbContext>();
        return context.DataProtectionKeys.Where(key => key.Xml != null).Select(key => key.Xml!).ToList()
            .Select(xml => XElement.Parse(xml))
            .ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var scope = scopes.CreateScope();
        var context = scope.ServiceProvider.GetRequiredService<OtpAuthDbContext>();
        context.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        context.SaveChanges();
    }
}
