using System.Security.Cryptography;
using OtpAuth.Api.Otp;

namespace OtpAuth.Tests.Unit;

public sealed class OtpCodeGeneratorTests
{
    private const int Draws = 200_000;
    private const int CodeLength = 6;

    /// <summary>
    /// The chi-square value (9 degrees of freedom) that a fair generator exceeds at one position with probability
    /// about 1e-5. A generator that takes a random byte modulo 10 (digits 0–5 then come 26/256 of the time instead
    /// of 25.6/256) lands near 80 over this many draws, and one that never draws some digit in the thousands.
    /// </summary>
    private const double ChiSquareLimit = 40.0;

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(10)]
    public void Codes_have_the_configured_number_of_ascii_digits(int length)
    {
        for (var i = 0; i < 1_000; i++)
        {
            var code = OtpCodeGenerator.Generate(length);
            Assert.Equal(length, code.Length);
            Assert.All(code, c => Assert.True(char.IsAsciiDigit(c)));
        }
    }

    [Fact]
    public void Every_digit_position_is_uniform_over_0_to_9()
    {
        var chiSquares = ChiSquarePerPosition(() => OtpCodeGenerator.Generate(CodeLength));

        Assert.All(chiSquares, chiSquare => Assert.True(chiSquare < ChiSquareLimit, $"chi-square {chiSquare:F1} ≥ {ChiSquareLimit}"));
    }

    [Fact]
    public void The_uniformity_check_catches_a_modulo_biased_generator()
    {
        var chiSquares = ChiSquarePerPosition(() => string.Concat(
            RandomNumberGenerator.GetBytes(CodeLength).Select(b => (char)('0' + b % 10))));

        Assert.True(chiSquares.Max() > ChiSquareLimit, $"a biased generator passed: max chi-square {chiSquares.Max():F1}");
    }

    [Theory]
    [InlineData("123456", 6, true)]
    [InlineData("000000", 6, true)]
    [InlineData("12345", 6, false)]
    [InlineData("1234567", 6, false)]
    [InlineData("12a456", 6, false)]
    [InlineData(" 12345", 6, false)]
    [InlineData("١٢٣٤٥٦", 6, false)] // Arabic-Indic digits are digits, but not ASCII ones
    [InlineData(null, 6, false)]
    [InlineData("1234", 4, true)]
    public void A_submitted_code_must_be_exactly_the_configured_number_of_ascii_digits(string? code, int length, bool expected) =>
        Assert.Equal(expected, OtpCodeGenerator.IsWellFormed(code, length));

    private static double[] ChiSquarePerPosition(Func<string> generate)
    {
        var counts = new int[CodeLength, 10];
        for (var i = 0; i < Draws; i++)
        {
            var code = generate();
            for (var position = 0; position < CodeLength; position++)
            {
                counts[position, code[position] - '0']++;
            }
        }

        const double expected = Draws / 10.0;
        return [.. Enumerable.Range(0, CodeLength).Select(position =>
            Enumerable.Range(0, 10).Sum(digit => Math.Pow(counts[position, digit] - expected, 2) / expected))];
    }
}
