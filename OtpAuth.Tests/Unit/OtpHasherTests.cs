using System.Security.Cryptography;
using System.Text;
using OtpAuth.Api.Otp;

namespace OtpAuth.Tests.Unit;

public sealed class OtpHasherTests
{
    private const string Key = "unit-test-hash-key-of-at-least-32-bytes";
    private readonly OtpHasher _hasher = new(Key);

    [Fact]
    public void A_code_is_stored_as_HMAC_SHA256_of_the_email_and_code_under_the_hash_key()
    {
        var expected = Convert.ToHexStringLower(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), Encoding.UTF8.GetBytes("otp\nada@example.com\n123456")));

        Assert.Equal(expected, _hasher.HashCode("ada@example.com", "123456"));
    }

    [Fact]
    public void The_stored_form_does_not_contain_the_code()
    {
        var hash = _hasher.HashCode("ada@example.com", "123456");

        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.DoesNotContain("123456", hash, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_email_and_code_always_hash_alike() =>
        Assert.Equal(_hasher.HashCode("ada@example.com", "123456"), new OtpHasher(Key).HashCode("ada@example.com", "123456"));

    [Fact]
    public void A_code_hashes_differently_for_another_email_another_code_or_another_key()
    {
        var hash = _hasher.HashCode("ada@example.com", "123456");

        Assert.NotEqual(hash, _hasher.HashCode("bob@example.com", "123456"));
        Assert.NotEqual(hash, _hasher.HashCode("ada@example.com", "123457"));
        Assert.NotEqual(hash, new OtpHasher(Key + "!").HashCode("ada@example.com", "123456"));
    }

    [Fact]
    public void Email_and_code_cannot_be_shifted_into_each_other() =>
        Assert.NotEqual(_hasher.HashCode("ada@example.com1", "23456"), _hasher.HashCode("ada@example.com", "123456"));

    [Fact]
    public void Redis_key_names_identify_an_address_without_containing_it()
    {
        var id = _hasher.AddressKey("ada@example.com");

        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(id, _hasher.AddressKey("ada@example.com"));
        Assert.NotEqual(id, _hasher.AddressKey("bob@example.com"));
        Assert.DoesNotContain(id, _hasher.HashCode("ada@example.com", "123456"), StringComparison.Ordinal);
    }
}
