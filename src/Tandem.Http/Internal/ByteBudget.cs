namespace Tandem.Http.Internal;

/// <summary>Counting bytes against a limit the way the parser and the chunked decoder both must: the limit is crossed at
/// the same byte however the input was split into reads.</summary>
internal static class ByteBudget
{
    /// <summary>Adds <paramref name="count"/> bytes to <paramref name="counted"/> if they fit under <paramref name="limit"/>;
    /// if not, moves <paramref name="at"/> to the first byte over it and returns false.</summary>
    public static bool TryTake(ref int counted, int count, int limit, ref int at)
    {
        int room = limit - counted;
        if (count > room)
        {
            at += room;
            return false;
        }
        counted += count;
        return true;
    }
}
