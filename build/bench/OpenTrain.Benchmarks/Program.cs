using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(OpenTrain.Benchmarks.ManifestBenchmarks).Assembly).Run(args);
