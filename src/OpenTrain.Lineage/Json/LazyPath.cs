using System.Globalization;

namespace OpenTrain.Lineage.Json;

/// <summary>
/// The JSON path of a value, built only when something asks for it (a finding, a report). Reading a large manifest
/// then allocates one small node per value instead of one ever longer string per value.
/// </summary>
internal sealed class LazyPath
{
    public static readonly LazyPath Root = new LazyPath(null, null, -1, "$");

    private readonly LazyPath? _parent;
    private readonly string? _name;
    private readonly int _index;
    private string? _text;

    private LazyPath(LazyPath? parent, string? name, int index, string? text)
    {
        _parent = parent;
        _name = name;
        _index = index;
        _text = text;
    }

    public LazyPath Property(string name) => new LazyPath(this, name, -1, null);

    public LazyPath Item(int index) => new LazyPath(this, null, index, null);

    // Depth is bounded by the parser's nesting limit, so the recursion is too. Two threads may build the same text;
    // both results are equal, so the race is harmless.
    public override string ToString() => _text ??= _name is not null
        ? _parent + JsonParser.PathSegment(_name)
        : _parent + "[" + _index.ToString(CultureInfo.InvariantCulture) + "]";
}
