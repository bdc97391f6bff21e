using OtpAuth.Api.Infrastructure;

namespace OtpAuth.Tests.Unit;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData(1, "1 second")]
    [InlineData(3, "3 seconds")]
    [InlineData(60, "1 minute")]
    [InlineData(90, "90 seconds")]
    [InlineData(120, "2 minutes")]
    [InlineData(3589, "60 minutes")]
    public void Lifetimes_and_waits_read_naturally(int seconds, string expected) =>
        Assert.Equal(expected, DurationText.Describe(TimeSpan.FromSeconds(seconds)));
}
