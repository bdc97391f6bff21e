using System.Security.Cryptography;
using System.Text;
using OtpAuth.Api.Otp;

namespace OtpAuth.Tests.Unit;

public sealed class OtpHasherTests
{
    private const string Key = "unit-test-hash-key-of-at-least-32-bytes";
    private static readonly Guid Registration = Guid.Parse("0197a3e2-5b1c-7c4e-9a0b-3f2d1e4c5b6a");
    private readonly OtpHasher _hasher = new(Key);

    private string Hash(string email = "ada@example.com", string code = "123456", CodePurpose purpose = CodePurpose.Registration, Guid? subject = null) =>
        _hasher.HashCode(purpose, subject ?? Registration, email, code);

    [Fact]
    public void A_code_is_stored_as_HMAC_SHA256_of_its_purpose_registration_email_and_code_under_the_hash_key()
    {
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key),
            Encoding.UTF8.GetBytes("otp\nregistration\n0197a3e25b1c7c4e9a0b3f2d1e4c5b6a\nada@example.com\n123456")));

        Assert.Equal(expected, Hash());
    }

    [Fact]
    public void The_stored_form_does_not_contain_the_code()
    {
        var hash = Hash();

        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.DoesNotContain("123456", hash, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_inputs_always_hash_alike() =>
        Assert.Equal(Hash(), new OtpHasher(Key).HashCode(CodePurpose.Registration, Registration, "ada@example.com", "123456"));

    [Fact]
    public void A_code_hashes_differently_for_another_email_code_registration_purpose_or_key()
    {
        var hash = Hash();

        Assert.NotEqual(hash, Hash(email: "bob@example.com"));
        Assert.NotEqual(hash, Hash(code: "123457"));
        Assert.NotEqual(hash, Hash(subject: Guid.CreateVersion7()));
        Assert.NotEqual(hash, Hash(purpose: CodePurpose.PasswordReset));
        Assert.NotEqual(hash, new OtpHasher(Key + "!").HashCode(CodePurpose.Registration, Registration, "ada@example.com", "123456"));
    }

    [Fact]
    public void Email_and_code_cannot_be_shifted_into_each_other() =>
        Assert.NotEqual(Hash(email: "ada@example.com1", code: "23456"), Hash());

    [Fact]
    public void Redis_key_names_identify_an_address_without_containing_it()
    {
        var id = _hasher.AddressKey("ada@example.com");

        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(id, _hasher.AddressKey("ada@example.com"));
        Assert.NotEqual(id, _hasher.AddressKey("bob@example.com"));
        Assert.DoesNotContain(id, Hash(), StringComparison.Ordinal);
    }
}
