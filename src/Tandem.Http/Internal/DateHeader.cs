using System.Text;

namespace Tandem.Http.Internal;

/// <summary>
/// The <c>Date</c> header line, formatted once a second and shared by every connection (RFC 9110 asks for one per
/// response; formatting it per response would cost a string each time).
/// </summary>
internal static class DateHeader
{
    private static byte[] s_line = Format(DateTimeOffset.UtcNow);
    private static long s_second = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>"Date: Sun, 29 Nov 2026 14:37:06 GMT\r\n", for the current second.</summary>
    public static ReadOnlySpan<byte> Line
    {
        get
        {
            var now = DateTimeOffset.UtcNow;
            long second = now.ToUnixTimeSeconds();
            if (second != Volatile.Read(ref s_second))
            {
                // A racing refresh writes an equal line: whichever array wins is right.
                Volatile.Write(ref s_line, Format(now));
                Volatile.Write(ref s_second, second);
            }
            return Volatile.Read(ref s_line);
        }
    }

    private static byte[] Format(DateTimeOffset now) => Encoding.ASCII.GetBytes($"Date: {now.UtcDateTime:R}\r\n");
}
