namespace Tandem.Http.Internal;

/// <summary>One header line of a head: its name and trimmed value as ranges of the head's buffer, and the name recognised.</summary>
internal readonly record struct HeaderEntry(ByteRange Name, ByteRange Value, KnownHeader Known);
