using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace OpenTrainAnalyzers.Build.Reports;

/// <summary>
/// A minimal indented JSON writer for the reports. Hand-written because the task must not bring its own
/// System.Text.Json into MSBuild hosts that ship another copy (Visual Studio's MSBuild.exe on .NET Framework).
/// </summary>
internal sealed class JsonWriter
{
    private readonly StringBuilder _text = new();
    private readonly Stack<bool> _hasItems = new();
    private bool _afterName;

    public JsonWriter BeginObject() => Open('{');

    public JsonWriter EndObject() => Close('}');

    public JsonWriter BeginArray() => Open('[');

    public JsonWriter EndArray() => Close(']');

    public JsonWriter Name(string name)
    {
        BeforeValue();
        AppendString(name);
        _text.Append(": ");
        _afterName = true;
        return this;
    }

    public JsonWriter String(string? value)
    {
        BeforeValue();
        if (value is null)
        {
            _text.Append("null");
        }
        else
        {
            AppendString(value);
        }

        return this;
    }

    public JsonWriter Number(long value)
    {
        BeforeValue();
        _text.Append(value.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary>A number as the manifest wrote it (the reader keeps its JSON text), so decimals survive unchanged.</summary>
    public JsonWriter RawNumber(string jsonNumber)
    {
        BeforeValue();
        _text.Append(jsonNumber);
        return this;
    }

    public JsonWriter Boolean(bool value)
    {
        BeforeValue();
        _text.Append(value ? "true" : "false");
        return this;
    }

    public JsonWriter Property(string name, string? value) => Name(name).String(value);

    public JsonWriter Property(string name, long value) => Name(name).Number(value);

    public JsonWriter Property(string name, bool value) => Name(name).Boolean(value);

    public override string ToString() => _text.ToString() + "\n";

    private JsonWriter Open(char bracket)
    {
        BeforeValue();
        _text.Append(bracket);
        _hasItems.Push(false);
        return this;
    }

    private JsonWriter Close(char bracket)
    {
        bool hadItems = _hasItems.Pop();
        if (hadItems)
        {
            NewLine();
        }

        _text.Append(bracket);
        return this;
    }

    private void BeforeValue()
    {
        if (_afterName)
        {
            _afterName = false; // the value of a property follows its name on the same line
            return;
        }

        if (_hasItems.Count == 0)
        {
            return;
        }

        if (_hasItems.Peek())
        {
            _text.Append(',');
        }
        else
        {
            _hasItems.Pop();
            _hasItems.Push(true);
        }

        NewLine();
    }

    private void NewLine()
    {
        _text.Append('\n');
        _text.Append(' ', 2 * _hasItems.Count);
    }

    private void AppendString(string value) => OpenTrain.Lineage.Json.JsonText.AppendQuoted(_text, value);
}
