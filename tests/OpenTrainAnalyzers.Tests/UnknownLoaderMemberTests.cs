using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using OpenTrain.Lineage;

namespace OpenTrainAnalyzers.Tests;

/// <summary>
/// OTA0009, fail closed: a library newer than the catalog. Whisper.net's current API (FromStream, FromModelLoader,
/// WhisperVadFactory.FromBuffer/FromStream/FromModelLoader) is not served on this machine's feed (1.9.1 is the newest),
/// so the newer library is compiled here from source with the same names: its catalogued members resolve as they do
/// against the real 1.9.1, and the members 1.9.1 lacks are the ones a user on the newer version would call.
/// </summary>
public class UnknownLoaderMemberTests
{
    private const string NewerWhisper = """
        namespace Whisper.net
        {
            public interface IWhisperModelLoader { }
            public sealed class WhisperFactoryOptions { }
            public sealed class WhisperFactory : System.IDisposable
            {
                public static WhisperFactory FromPath(string path) => null;
                public static WhisperFactory FromPath(string path, WhisperFactoryOptions options) => null;
                public static WhisperFactory FromBuffer(System.Memory<byte> memory) => null;
                public static WhisperFactory FromStream(System.IO.Stream stream) => null;
                public static WhisperFactory FromModelLoader(IWhisperModelLoader loader) => null;
                public static string[] SupportedLanguages(string culture) => null;
                public static string DefaultModelName() => null;
                public object CreateBuilder(string language) => null;
                public void Dispose() { }
            }
            public sealed class WhisperVadFactory
            {
                public static WhisperVadFactory FromPath(string path) => null;
                public static WhisperVadFactory FromBuffer(System.Memory<byte> buffer) => null;
                public static WhisperVadFactory FromStream(System.IO.Stream stream, WhisperFactoryOptions options) => null;
            }
        }
        """;

    private static DiagnosticResult Unknown(int marker, string member, string parameter, string type, string id) =>
        LineageTest.Diagnostic("OTA0009").WithLocation(marker).WithArguments(member, parameter, type, id);

    [Fact]
    public async Task New_factories_of_a_known_loader_type_are_reported_with_the_line_that_declares_them()
    {
        var test = new LineageTest("""
            using System.IO;
            using Whisper.net;
            class C
            {
                void Loads(IWhisperModelLoader loader, Stream audio)
                {
                    {|#0:WhisperFactory.FromPath("models/ggml-base.bin")|};
                    {|#1:WhisperFactory.FromStream(File.OpenRead("models/ggml-base.bin"))|};
                    {|#2:WhisperFactory.FromModelLoader(loader)|};
                    {|#3:WhisperVadFactory.FromBuffer(File.ReadAllBytes("models/vad.bin"))|};
                    {|#4:WhisperVadFactory.FromStream(audio, new WhisperFactoryOptions())|};

                    // Not loads: no location argument, an instance member, a user type with the same shape.
                    WhisperFactory.SupportedLanguages("en");
                    WhisperFactory.DefaultModelName();
                    using var factory = WhisperFactory.FromPath("models/linked/ggml-base.bin");
                    factory.CreateBuilder("en");
                    MyLoaders.FromStream(audio);
                }
            }
            static class MyLoaders { public static object FromStream(Stream stream) => stream; }
            """, withOnnxRuntime: false).WithReferences(new[] { NewerWhisperReference() }).WithManifest("/app/models/linked/m.lineage.json", "ggml-base.bin");
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0001").WithLocation(0).WithArguments("WhisperFactory.FromPath", "models/ggml-base.bin", ManifestSkeleton.ScaffoldCommand("models/ggml-base.bin")));
        test.ExpectedDiagnostics.Add(Unknown(1, "WhisperFactory.FromStream", "stream", "Whisper.net.WhisperFactory", "M:Whisper.net.WhisperFactory.FromStream(System.IO.Stream)"));
        test.ExpectedDiagnostics.Add(Unknown(2, "WhisperFactory.FromModelLoader", "loader", "Whisper.net.WhisperFactory", "M:Whisper.net.WhisperFactory.FromModelLoader(Whisper.net.IWhisperModelLoader)"));
        test.ExpectedDiagnostics.Add(Unknown(3, "WhisperVadFactory.FromBuffer", "buffer", "Whisper.net.WhisperVadFactory", "M:Whisper.net.WhisperVadFactory.FromBuffer(System.Memory{System.Byte})"));
        test.ExpectedDiagnostics.Add(Unknown(4, "WhisperVadFactory.FromStream", "stream", "Whisper.net.WhisperVadFactory", "M:Whisper.net.WhisperVadFactory.FromStream(System.IO.Stream,Whisper.net.WhisperFactoryOptions)"));

        await test.RunAsync();
    }

    [Fact]
    public async Task Declaring_the_new_member_turns_the_warning_into_the_usual_check()
    {
        var test = new LineageTest("""
            using System.IO;
            using Whisper.net;
            class C
            {
                void Loads()
                {
                    {|#0:WhisperFactory.FromStream(File.OpenRead("models/ggml-small.bin"))|};
                    WhisperFactory.FromStream(File.OpenRead("models/linked/ggml-base.bin"));
                }
            }
            """, withOnnxRuntime: false).WithReferences(new[] { NewerWhisperReference() }).WithManifest("/app/models/linked/m.lineage.json", "ggml-base.bin");
        test.TestState.AdditionalFiles.Add(("/app/OpenTrainLoaders.txt", "M:Whisper.net.WhisperFactory.FromStream(System.IO.Stream);stream\n"));
        test.ExpectedDiagnostics.Add(LineageTest.Diagnostic("OTA0001").WithLocation(0).WithArguments("WhisperFactory.FromStream", "models/ggml-small.bin", ManifestSkeleton.ScaffoldCommand("models/ggml-small.bin")));

        await test.RunAsync();
    }

    [Fact]
    public async Task Every_prefix_of_the_program_gives_no_analyzer_exception()
    {
        const string Program = """
            using System.IO;
            using Whisper.net;
            class C { void L(IWhisperModelLoader l) { WhisperFactory.FromStream(File.OpenRead("m.bin")); WhisperFactory.FromModelLoader(l); WhisperVadFactory.FromBuffer(new byte[1]); } }
            """;
        var reference = NewerWhisperReference();
        var framework = await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, default);
        var analyzer = new ModelLoadAnalyzer();
        for (int length = 0; length <= Program.Length; length += 3)
        {
            var compilation = CSharpCompilation.Create("prefix", new[] { CSharpSyntaxTree.ParseText(Program[..length]) }, framework.Add(reference));
            var diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(analyzer)).GetAnalyzerDiagnosticsAsync();
            Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        }
    }

    private static MetadataReference NewerWhisperReference()
    {
        var framework = ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, default).GetAwaiter().GetResult();
        var library = CSharpCompilation.Create("Whisper.net", new[] { CSharpSyntaxTree.ParseText(NewerWhisper) }, framework, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));
        using var image = new MemoryStream();
        var emitted = library.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return MetadataReference.CreateFromImage(image.ToArray());
    }
}
