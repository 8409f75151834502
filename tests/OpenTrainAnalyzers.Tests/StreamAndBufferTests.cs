using OpenTrain.Lineage;
using Microsoft.CodeAnalysis.Testing;

namespace OpenTrainAnalyzers.Tests;

/// <summary>
/// Streams and buffers resolve like byte[] (issue 12): File.OpenRead, new FileStream, File.ReadAllBytes(Async) wrapped
/// in MemoryStream, Memory&lt;byte&gt;, AsMemory/AsSpan; what cannot be traced is OTA0004, never silence. Against the
/// real ONNX Runtime, ML.NET and Whisper.net reference assemblies.
/// </summary>
public class StreamAndBufferTests
{
    [Fact]
    public async Task Whisper_buffers_from_memory_of_bytes_as_memory_and_awaited_reads()
    {
        var test = new LineageTest("""
            using System;
            using System.IO;
            using System.Threading.Tasks;
            using Whisper.net;
            class C
            {
                async Task Loads(byte[] unknown)
                {
                    {|#0:WhisperFactory.FromBuffer(new Memory<byte>(File.ReadAllBytes("models/a.bin")))|};
                    {|#1:WhisperFactory.FromBuffer(File.ReadAllBytes("models/b.bin").AsMemory())|};
                    var bytes = await File.ReadAllBytesAsync("models/c.bin");
                    {|#2:WhisperFactory.FromBuffer(bytes)|};
                    WhisperFactory.FromBuffer(File.ReadAllBytes("models/linked.bin").AsMemory());
                    {|#3:WhisperFactory.FromBuffer(unknown.AsMemory())|};
                }
            }
            """, Microsoft.CodeAnalysis.Testing.ReferenceAssemblies.Net.Net80)
            .WithReferences(PackageCache.References(("Whisper.net", "1.9.1"), ("Microsoft.Extensions.AI.Abstractions", "10.11.0")))
            .WithManifest("/app/models/linked.lineage.json", "linked.bin");
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(0, "WhisperFactory.FromBuffer", "models/a.bin"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(1, "WhisperFactory.FromBuffer", "models/b.bin"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(2, "WhisperFactory.FromBuffer", "models/c.bin"));
        test.ExpectedDiagnostics.Add(LineageTest.NotAllCallsChecked(3, "WhisperFactory.FromBuffer", "unknown", "C.Loads", "nothing in this compilation calls it"));

        await test.RunAsync();
    }

    [Fact]
    public async Task MlNet_streams_from_open_read_file_stream_and_memory_stream_over_read_bytes()
    {
        var test = new LineageTest("""
            using System.IO;
            using Microsoft.ML;
            class C
            {
                void Loads(MLContext ml, Stream unknown)
                {
                    {|#0:ml.Model.Load(File.OpenRead("models/a.zip"), out _)|};
                    using var file = new FileStream("models/b.zip", FileMode.Open, FileAccess.Read);
                    {|#1:ml.Model.Load(file, out _)|};
                    {|#2:ml.Model.Load(new MemoryStream(File.ReadAllBytes("models/c.zip")), out _)|};
                    ml.Model.Load(new BufferedStream(File.OpenRead("models/linked.zip")), out _);
                    {|#3:ml.Model.Load(unknown, out _)|};
                }
            }
            """, Microsoft.CodeAnalysis.Testing.ReferenceAssemblies.Net.Net80)
            .WithReferences(PackageCache.References(("Microsoft.ML", "5.0.1"), ("Microsoft.ML.DataView", "5.0.1")))
            .WithManifest("/app/models/linked.lineage.json", "linked.zip");
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(0, "ModelOperationsCatalog.Load", "models/a.zip"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(1, "ModelOperationsCatalog.Load", "models/b.zip"));
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(2, "ModelOperationsCatalog.Load", "models/c.zip"));
        test.ExpectedDiagnostics.Add(LineageTest.NotAllCallsChecked(3, "ModelOperationsCatalog.Load", "unknown", "C.Loads", "nothing in this compilation calls it"));

        await test.RunAsync();
    }

    [Fact]
    public async Task A_derived_loader_taking_a_stream_is_resolved_where_the_stream_is_opened()
    {
        var test = new LineageTest("""
            using System.IO;
            using Microsoft.ML;
            static class Models
            {
                internal static ITransformer Load(MLContext ml, Stream model) => ml.Model.Load(model, out _);
            }
            class C
            {
                void Loads(MLContext ml)
                {
                    {|#0:Models.Load(ml, File.OpenRead("models/a.zip"))|};
                    Models.Load(ml, File.OpenRead("models/linked.zip"));
                }
            }
            """, Microsoft.CodeAnalysis.Testing.ReferenceAssemblies.Net.Net80)
            .WithReferences(PackageCache.References(("Microsoft.ML", "5.0.1"), ("Microsoft.ML.DataView", "5.0.1")))
            .WithManifest("/app/models/linked.lineage.json", "linked.zip");
        test.ExpectedDiagnostics.Add(LineageTest.Unlinked(0, "Models.Load -> ModelOperationsCatalog.Load", "models/a.zip"));

        await test.RunAsync();
    }
}
