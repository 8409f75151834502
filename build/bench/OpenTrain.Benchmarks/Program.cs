using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "policy-interleaved")
{
    OpenTrain.Benchmarks.LicensePolicyBenchmarks.Interleaved(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 21);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(OpenTrain.Benchmarks.ManifestBenchmarks).Assembly).Run(args);
