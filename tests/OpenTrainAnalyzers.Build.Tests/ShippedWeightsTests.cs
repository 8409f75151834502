using System.Text;
using OpenTrainAnalyzers.Build.Weights;

namespace OpenTrainAnalyzers.Build.Tests;

public sealed class ShippedWeightsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opentrain-magic-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("GGUF\u0003\0\0\0", "GGUF")]
    [InlineData("tjgg\u0001\0\0\0", "GGML")]
    [InlineData("lmgg\u0001\0\0\0", "GGML")]
    public void Weights_under_neutral_names_are_recognised_by_their_header(string header, string format)
    {
        string path = Write("model.bin", Encoding.Latin1.GetBytes(header + new string('\0', 64)));

        Assert.Equal($"a {format} file (by its header)", ShippedWeights.WhyModel(path));
    }

    [Fact]
    public void A_safetensors_header_is_recognised()
    {
        byte[] json = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        byte[] bytes = BitConverter.GetBytes((ulong)json.Length).Concat(json).Concat(new byte[4]).ToArray();

        Assert.Equal("a safetensors file (by its header)", ShippedWeights.WhyModel(Write("weights.dat", bytes)));
    }

    [Theory]
    [InlineData("{\"appsettings\": true}")]
    [InlineData("plain text that is not a model")]
    [InlineData("")]
    public void Ordinary_files_are_not_weights(string content)
    {
        Assert.Null(ShippedWeights.WhyModel(Write("data.bin", Encoding.UTF8.GetBytes(content))));
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
