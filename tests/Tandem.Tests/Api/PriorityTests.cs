using Tandem;

namespace Tandem.Tests.Api;

public class PriorityTests
{
    [Fact]
    public void LevelsAreZeroToFour()
    {
        Assert.Equal(0, (int)Priority.Critical);
        Assert.Equal(1, (int)Priority.High);
        Assert.Equal(2, (int)Priority.Normal);
        Assert.Equal(3, (int)Priority.Low);
        Assert.Equal(4, (int)Priority.Idle);
        Assert.Equal(5, Enum.GetValues<Priority>().Length);
    }

    [Fact]
    public void CountAndAll()
    {
        Assert.Equal(5, Priorities.Count);
        Assert.Equal([Priority.Critical, Priority.High, Priority.Normal, Priority.Low, Priority.Idle], Priorities.All.ToArray());
    }

    [Theory]
    [InlineData(Priority.Critical, 0)]
    [InlineData(Priority.High, 1)]
    [InlineData(Priority.Normal, 2)]
    [InlineData(Priority.Low, 3)]
    [InlineData(Priority.Idle, 4)]
    public void ToInt32AndFromInt32RoundTrip(Priority p, int n)
    {
        Assert.Equal(n, p.ToInt32());
        Assert.Equal(p, Priorities.FromInt32(n));
        Assert.True(Priorities.TryFromInt32(n, out var q));
        Assert.Equal(p, q);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void FromInt32OutOfRangeNamesArgument(int n)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Priorities.FromInt32(n));
        Assert.Equal("value", e.ParamName);
        Assert.Equal(n, e.ActualValue);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    [InlineData(100)]
    public void TryFromInt32OutOfRangeReturnsFalse(int n)
    {
        Assert.False(Priorities.TryFromInt32(n, out _));
    }

    [Theory]
    [InlineData("Critical", Priority.Critical)]
    [InlineData("critical", Priority.Critical)]
    [InlineData("HIGH", Priority.High)]
    [InlineData("Normal", Priority.Normal)]
    [InlineData("low", Priority.Low)]
    [InlineData("iDlE", Priority.Idle)]
    [InlineData("0", Priority.Critical)]
    [InlineData("2", Priority.Normal)]
    [InlineData("4", Priority.Idle)]
    [InlineData("  3  ", Priority.Low)]
    [InlineData(" high ", Priority.High)]
    public void ParseAcceptsNamesAndNumbers(string text, Priority expected)
    {
        Assert.Equal(expected, Priorities.Parse(text));
        Assert.True(Priorities.TryParse(text, out var p));
        Assert.Equal(expected, p);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("5")]
    [InlineData("-1")]
    [InlineData("Urgent")]
    [InlineData("2.0")]
    [InlineData("Normall")]
    public void TryParseRejectsNonLevels(string text)
    {
        Assert.False(Priorities.TryParse(text, out _));
    }

    [Fact]
    public void TryParseNullReturnsFalse()
    {
        Assert.False(Priorities.TryParse(null, out _));
    }

    [Theory]
    [InlineData("5")]
    [InlineData("Urgent")]
    [InlineData("")]
    public void ParseInvalidNamesArgument(string text)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Priorities.Parse(text));
        Assert.Equal("text", e.ParamName);
    }

    [Fact]
    public void ParseNullThrowsArgumentNull()
    {
        var e = Assert.Throws<ArgumentNullException>(() => Priorities.Parse(null!));
        Assert.Equal("text", e.ParamName);
    }

    [Fact]
    public void IsDefinedOnlyForTheFiveLevels()
    {
        foreach (var p in Priorities.All) Assert.True(p.IsDefined());
        Assert.False(((Priority)5).IsDefined());
        Assert.False(((Priority)(-1)).IsDefined());
        Assert.False(((Priority)int.MaxValue).IsDefined());
    }
}
