using System;
using System.Collections.Generic;
using System.Linq;
using OpenTrain.Lineage.Json;

namespace OpenTrain.Lineage;

/// <summary>The outcome of checking one manifest: every finding, tagged with the lowest level that needs it.</summary>
public sealed class LineageEvaluation
{
    internal LineageEvaluation(IReadOnlyList<LineageFinding> findings, LineageLevel achievedLevel)
    {
        Findings = findings;
        AchievedLevel = achievedLevel;
    }

    public IReadOnlyList<LineageFinding> Findings { get; }

    /// <summary>The highest level whose requirements this manifest meets (its own level; parents not included).</summary>
    public LineageLevel AchievedLevel { get; }

    /// <summary>The findings a project requiring <paramref name="required"/> must see.</summary>
    /// <summary>True when the manifest meets the given profile (e.g. osaid-1.0): no error belongs to it.</summary>
    public bool Satisfies(string profile) =>
        AchievedLevel >= LineageLevel.Declared && !Findings.Any(f => f.Profile == profile && f.Severity == FindingSeverity.Error);

    public IEnumerable<LineageFinding> FindingsFor(LineageLevel required, IEnumerable<string>? profiles = null)
    {
        var enabled = new HashSet<string>(profiles ?? Enumerable.Empty<string>(), StringComparer.OrdinalIgnoreCase);
        var reported = Findings.Where(f => f.Profile is null ? f.RequiredBy <= required : enabled.Contains(f.Profile)).ToList();

        // The same problem can be a warning at 'declared' and an error higher up (an unpinned location): report it once.
        var errors = reported.Where(f => f.Severity == FindingSeverity.Error).ToList();
        var levelFindings = reported.Where(f => f.Profile is null).ToList();
        return reported.Where(f =>
            (f.Severity == FindingSeverity.Error || !errors.Any(e => e.Id == f.Id && e.JsonPath.StartsWith(f.JsonPath, StringComparison.Ordinal)))

            // A profile that asks for what the level already asked for: one finding, the level's.
            && (f.Profile is null || !levelFindings.Any(l => l.Id == f.Id && l.JsonPath == f.JsonPath)));
    }
}

/// <summary>
/// Which elements each level requires and what counts as incomplete (missing, empty, placeholder, not open enough,
/// unpinned, wrongly licensed). One pass collects findings for every level, so the achieved level and the findings
/// for any required level come from the same evaluation. Checks that need the file system (digests, sizes, parent
/// manifests) belong to the host that may touch files.
/// </summary>
public static class CompletenessPolicy
{
    /// <summary>The OSI Open Source AI Definition 1.0 profile (checked in addition to the required level).</summary>
    public const string OsaidProfile = "osaid-1.0";

    public static LineageEvaluation Evaluate(LineageManifest manifest)
    {
        var findings = new List<LineageFinding>(manifest.Findings);
        if (manifest.Root is { } root)
        {
            new Evaluator(root, findings).Run();
        }

        return new LineageEvaluation(findings, Achieved(manifest, findings));
    }

    private static LineageLevel Achieved(LineageManifest manifest, List<LineageFinding> findings)
    {
        if (!manifest.IsReadable)
        {
            return LineageLevel.None;
        }

        var achieved = LineageLevel.OpenScience;
        foreach (var finding in findings)
        {
            if (finding.Severity == FindingSeverity.Error && finding.Profile is null && finding.RequiredBy <= achieved)
            {
                achieved = (LineageLevel)((int)finding.RequiredBy - 1);
            }
        }

        return achieved;
    }

    private sealed class Evaluator
    {
        private const LineageLevel Declared = LineageLevel.Declared;
        private const LineageLevel OpenWeights = LineageLevel.OpenWeights;
        private const LineageLevel OpenTooling = LineageLevel.OpenTooling;
        private const LineageLevel OpenScience = LineageLevel.OpenScience;

        private readonly JsonValue _root;
        private readonly List<LineageFinding> _findings;
        private bool _noTrainingHappened;

        // Set while checking a profile: findings then belong to the profile, not to a level.
        private string? _profile;

        public Evaluator(JsonValue root, List<LineageFinding> findings)
        {
            _root = root;
            _findings = findings;
        }

        public void Run()
        {
            CheckVersion();
            CheckModel();
            CheckWeights();
            CheckLineage();
            CheckTraining();
            CheckInference();
            CheckDocumentation();
            CheckOsaid();
        }

        /// <summary>
        /// The OSI Open Source AI Definition 1.0, checked alongside the levels: the code (processing, architecture,
        /// training, evaluation, inference) and the parameters under open terms, the data described even when it is
        /// closed, and open or restricted data obtainable. Findings belong to the profile, not to a level.
        /// </summary>
        private void CheckOsaid()
        {
            _profile = OsaidProfile;
            try
            {
                if (_root["model"]?["license"] is { Text: { } license } licenseValue)
                {
                    JudgeLicense(licenseValue, license, ContentKind.Data, Declared, "the model's parameters");
                }

                var training = _root["training"];
                foreach (var (component, what) in new[]
                {
                    (training?["processing"], "the data processing code"),
                    (training?["configuration"]?["architecture"], "the model architecture code"),
                    (training?["code"], "the training code"),
                    (training?["evaluation"]?["code"], "the evaluation code"),
                    (_root["inference"], "the inference code"),
                })
                {
                    if (component is not null && !(component["availability"]?.Text == "not-applicable" && _noTrainingHappened))
                    {
                        RequireOpen(component, what, Declared, ContentKind.Code, pinned: true);
                    }
                }

                if (_root["inference"] is null)
                {
                    Missing(_root, "inference", Declared, "the inference code (OSAID asks for the code to use the model)");
                }

                var hyperparameters = training?["configuration"]?["hyperparameters"];
                if (hyperparameters is not null && hyperparameters["availability"]?.Text != "not-applicable")
                {
                    RequireOpen(hyperparameters, "the hyperparameters", Declared, ContentKind.Data, pinned: true);
                    if (IsOpen(hyperparameters) && hyperparameters["values"] is null && hyperparameters["configFile"] is null)
                    {
                        Missing(hyperparameters, "values", Declared, "the hyperparameter values (or a pinned configFile)");
                    }
                }

                // Data information: open or restricted datasets say where they can be obtained; closed ones are
                // described (checked at declared already). The data documentation itself is under open terms.
                foreach (var dataset in training?["data"]?["datasets"]?.Items.Where(d => d.Kind == JsonValueKind.Object) ?? Enumerable.Empty<JsonValue>())
                {
                    if (dataset["availability"]?.Text is "open" or "restricted" && dataset["locations"] is not { Items.Count: > 0 })
                    {
                        Report(LineageRules.LocationMissing, dataset, Declared, $"OSAID asks where training dataset '{dataset["id"]?.Text}' can be obtained: add its locations.");
                    }
                }

                var documentation = _root["documentation"];
                var dataDocument = documentation?["dataCard"] ?? documentation?["technicalReport"];
                if (dataDocument is null)
                {
                    Missing(documentation ?? _root, "dataCard", Declared, "a data card or technical report under open terms (OSAID data information)");
                }
                else
                {
                    RequireOpen(dataDocument, "the data documentation", Declared, ContentKind.Document, pinned: false);
                }

                foreach (var library in training?["code"]?["supportingLibraries"]?.Items.Where(l => l.Kind == JsonValueKind.Object) ?? Enumerable.Empty<JsonValue>())
                {
                    if (library["license"] is { Text: { } libraryLicense } at)
                    {
                        JudgeLicense(at, libraryLicense, ContentKind.Code, Declared, $"supporting library '{library["name"]?.Text}'");
                    }
                    else
                    {
                        Missing(library, "license", Declared, "the library's licence (OSAID asks for supporting libraries under OSI-approved terms)");
                    }
                }
            }
            finally
            {
                _profile = null;
            }
        }

        // Row 1.
        private void CheckVersion()
        {
            var version = Text(_root, "manifestVersion", Declared, "the manifest format version (\"1.0\")");
            if (version?.Text is { } text && text != LineageManifest.SupportedVersion)
            {
                Report(LineageRules.UnsupportedVersion, version, Declared,
                    $"manifestVersion is '{text}'; this version of OpenTrainAnalyzers reads \"{LineageManifest.SupportedVersion}\".");
            }
        }

        // Rows 2 and 4.
        private void CheckModel()
        {
            var model = Need(_root, "model", Declared, "the model's identity (name, version, producer, licence, task)");
            if (model is null)
            {
                return;
            }

            Text(model, "name", Declared, "the model's name");
            Text(model, "version", Declared, "the model's version");
            var producer = Need(model, "producer", Declared, "who produced the model ({ \"name\": ... })");
            if (producer is not null)
            {
                Text(producer, "name", Declared, "the producer's name");
            }

            Text(model, "task", Declared, "the task the model performs (e.g. text-classification)");
            var license = Text(model, "license", Declared, "the licence of the final parameters (an SPDX expression)", enumerated: true);
            if (license?.Text is { } expression)
            {
                JudgeLicense(license, expression, ContentKind.Data, OpenWeights, "the model's parameters", reportInvalid: true);
            }
        }

        // Row 3 (structure; bytes are checked by the build task).
        private void CheckWeights()
        {
            var weights = Need(_root, "weights", Declared, "the weight files the runtime reads");
            if (weights is null)
            {
                return;
            }

            Text(weights, "format", Declared, "the weights' format (onnx, gguf, safetensors, ...)", enumerated: true);
            var files = Need(weights, "files", Declared, "every file the runtime reads, each with path, sha256 and size");
            if (files is null || files.Kind != JsonValueKind.Array)
            {
                return;
            }

            foreach (var file in files.Items.Where(f => f.Kind == JsonValueKind.Object))
            {
                var path = Text(file, "path", Declared, "the file's path relative to the manifest");
                if (path?.Text is { } relative && WeightPaths.Problem(relative) is { } problem)
                {
                    Report(LineageRules.PathEscapes, path, Declared, $"Weight path '{relative}' {problem}.");
                }

                var sha = Need(file, "sha256", Declared, "the file's SHA-256 (64 lowercase hex digits)");
                if (sha?.Text is { } digest)
                {
                    CheckDigest(sha, digest, file["size"]);
                }

                var size = Need(file, "size", Declared, "the file's size in bytes");
                if (size is not null && size.TryGetInt64(out long bytes) && bytes < 0)
                {
                    Report(LineageRules.WrongType, size, Declared, "size cannot be negative.");
                }
            }

            if (weights["rootDigest"]?["sha256"] is { Text: { } root } rootValue)
            {
                CheckDigest(rootValue, root, null);
            }
        }

        private void CheckDigest(JsonValue at, string digest, JsonValue? size)
        {
            if (!TextChecks.IsSha256(digest))
            {
                Report(LineageRules.MalformedDigest, at, Declared, $"'{digest}' is not a SHA-256 digest; write 64 lowercase hexadecimal digits (sha256sum prints them).");
            }
            else if (TextChecks.IsPlaceholderDigest(digest)
                || (digest == TextChecks.EmptySha256 && size is not null && size.TryGetInt64(out long bytes) && bytes > 0))
            {
                Report(LineageRules.MalformedDigest, at, Declared, $"'{digest}' is a placeholder, not the digest of the file; compute it with sha256sum.");
            }
        }

        // Row 5 (parents are resolved by the host that may read files).
        private void CheckLineage()
        {
            var lineage = Need(_root, "lineage", Declared, "how the model was derived ({ \"derivation\": \"from-scratch\" } or its parents)");
            var derivation = lineage is null ? null : Text(lineage, "derivation", Declared, "the derivation (from-scratch, finetune, quantized, ...)", enumerated: true);
            string? kind = derivation?.Text;
            _noTrainingHappened = kind is "converted" or "quantized" or "merge";
            if (lineage is not null && kind is not null && kind != "from-scratch")
            {
                var parents = lineage["parents"];
                if (parents is null || parents.Items.Count == 0)
                {
                    Report(LineageRules.ParentsRequired, parents ?? lineage, Declared,
                        $"A '{kind}' model has parents: list each in lineage.parents with its name, relation and manifest {{ path, sha256 }}.");
                }
                else if (kind == "merge" && parents.Items.Count < 2)
                {
                    Report(LineageRules.ParentsRequired, parents, Declared, "A merge has at least two parents; list each of them.");
                }
            }
        }

        // Rows 6 to 15.
        private void CheckTraining()
        {
            var training = Need(_root, "training", Declared, "the five components of training (data, processing, configuration, code, evaluation)");
            if (training is null)
            {
                return;
            }

            var datasetIds = new HashSet<string>(StringComparer.Ordinal);
            CheckData(training, datasetIds);
            CheckProcessing(training);
            CheckConfiguration(training);
            CheckCode(training);
            CheckEvaluation(training, datasetIds);

            // Row 15: intermediate checkpoints are part of open science (MOF Class I).
            var checkpoints = training["checkpoints"];
            if (checkpoints is null)
            {
                Missing(training, "checkpoints", OpenScience, "the intermediate checkpoints (MOF Class I publishes them)");
            }
            else if (Disclose(checkpoints, "the intermediate checkpoints", OpenScience, notApplicableAllowed: false))
            {
                RequireOpen(checkpoints, "the intermediate checkpoints", OpenScience, ContentKind.Data, pinned: true);
            }
        }

        private void CheckData(JsonValue training, HashSet<string> datasetIds)
        {
            var data = Need(training, "data", Declared, "the training data (its availability, description and datasets)");
            if (data is null || !Disclose(data, "the training data", Declared, _noTrainingHappened))
            {
                return;
            }

            string? availability = data["availability"]?.Text;
            var datasets = data["datasets"];
            if (availability is "open" or "restricted")
            {
                if (datasets is null || datasets.Items.Count == 0)
                {
                    Missing(data, "datasets", Declared, "each training dataset (id, name, sources, collection, cleaning, labeling)");
                }
            }
            else if (availability == "closed" && (datasets is null || datasets.Items.Count == 0))
            {
                // Unshareable data must still be described (OSAID "data information").
                DescribeData(data, "the closed training data", Declared);
            }

            if (datasets is null)
            {
                return;
            }

            foreach (var dataset in datasets.Items.Where(d => d.Kind == JsonValueKind.Object))
            {
                if (Text(dataset, "id", Declared, "a dataset id that metrics and stages can refer to")?.Text is { } id)
                {
                    datasetIds.Add(id);
                }

                Text(dataset, "name", Declared, "the dataset's name");
                if (Disclose(dataset, "this dataset", Declared, notApplicableAllowed: false))
                {
                    DescribeData(dataset, "this dataset", Declared);
                    if (availability == "open" && dataset["availability"]?.Text is { } own && own != "open")
                    {
                        Report(LineageRules.StatusContradiction, data["availability"]!, Declared,
                            $"training.data is 'open' but dataset '{dataset["id"]?.Text}' is '{own}'; the aggregate cannot be more open than its least open dataset.");
                    }

                    RequireOpen(dataset, $"training dataset '{dataset["id"]?.Text}'", OpenScience, ContentKind.Data, pinned: true);
                    var labeling = dataset["labeling"];
                    if (labeling?["method"]?.Text is "human" or "mixed" && labeling["guidelines"] is null)
                    {
                        Report(LineageRules.LabelingIncomplete, labeling, OpenScience,
                            "Open science publishes the labelling guidelines given to human annotators: add labeling.guidelines with their location.");
                    }
                }
            }
        }

        /// <summary>DS(d): sources, collection, cleaning and labelling are described (row 6).</summary>
        private void DescribeData(JsonValue data, string what, LineageLevel level)
        {
            var sources = Need(data, "sources", level, $"where {what} comes from (sources[] with names)");
            if (sources is not null && sources.Items.FirstOrDefault() is { Kind: JsonValueKind.Object } first)
            {
                Text(first, "name", level, "the source's name");
            }

            foreach (var source in sources?.Items.Where(s => s.Kind == JsonValueKind.Object) ?? Enumerable.Empty<JsonValue>())
            {
                CheckLocation(source, level, urlOnly: true);
            }

            if (data["labeling"]?["guidelines"] is { } guidelines)
            {
                CheckLocation(guidelines, level);
            }

            Text(data, "collection", level, $"how {what} was obtained and selected", narrative: true);
            Text(data, "cleaning", level, $"how {what} was filtered, deduplicated and normalised", narrative: true);
            var labeling = Need(data, "labeling", level, $"how {what} was labelled ({{ \"method\": \"human|machine|mixed|none\", \"criteria\": ... }})");
            if (labeling is not null && Text(labeling, "method", level, "the labelling method", enumerated: true)?.Text is { } method
                && method is not ("none" or "not-applicable"))
            {
                var criteria = labeling["criteria"];
                if (criteria is null)
                {
                    Report(LineageRules.LabelingIncomplete, labeling, level,
                        $"Labelling method '{method}' needs the labelling criteria: write what decided each label in labeling.criteria.");
                }
                else
                {
                    Text(labeling, "criteria", level, "the labelling criteria", narrative: true);
                }
            }
        }

        private void CheckProcessing(JsonValue training)
        {
            var processing = Need(training, "processing", Declared, "the data processing pipeline (its code and method)");
            if (processing is not null && Disclose(processing, "the data processing pipeline", Declared, notApplicableAllowed: true)
                && processing["availability"]?.Text != "not-applicable")
            {
                Text(processing, "method", Declared, "the processing method (what the pipeline does to the data)", narrative: true);
                RequireOpen(processing, "the data processing code", OpenScience, ContentKind.Code, pinned: true);
            }
        }

        private void CheckConfiguration(JsonValue training)
        {
            var configuration = Need(training, "configuration", Declared, "the architecture and hyperparameters");
            if (configuration is null)
            {
                return;
            }

            var architecture = Need(configuration, "architecture", Declared, "the model architecture (family and code)");
            if (architecture is not null && Disclose(architecture, "the model architecture", Declared, notApplicableAllowed: false))
            {
                Text(architecture, "family", Declared, "the architecture family (e.g. transformer, linear)");
                RequireOpen(architecture, "the model architecture code", OpenWeights, ContentKind.Code, pinned: true);
            }

            var hyperparameters = Need(configuration, "hyperparameters", Declared, "the training hyperparameters");
            if (hyperparameters is not null && Disclose(hyperparameters, "the hyperparameters", Declared, _noTrainingHappened)
                && hyperparameters["availability"]?.Text != "not-applicable")
            {
                if (hyperparameters["availability"]?.Text != "open")
                {
                    Report(LineageRules.NotOpenEnough, hyperparameters["availability"]!, OpenTooling,
                        "Open tooling discloses the hyperparameter values: make them 'open' and list them in 'values' or a pinned 'configFile'.");
                }
                else
                {
                    if (hyperparameters["values"] is null && hyperparameters["configFile"] is null)
                    {
                        Missing(hyperparameters, "values", OpenTooling, "the hyperparameter values (or a pinned configFile)");
                    }

                    RequireOpen(hyperparameters, "the hyperparameters", OpenScience, ContentKind.Data, pinned: true);
                }
            }
        }

        private void CheckCode(JsonValue training)
        {
            var code = Need(training, "code", Declared, "the training code and framework");
            if (code is null || !Disclose(code, "the training code", Declared, _noTrainingHappened)
                || code["availability"]?.Text == "not-applicable")
            {
                return;
            }

            if (code["availability"]?.Text is "open" or "restricted")
            {
                // The first framework must be named with its version; naming a further one whose exact version is
                // unknown is more disclosure, not less, so it warns.
                var framework = Need(code, "framework", Declared, "the training framework(s), each with name and version");
                bool first = true;
                foreach (var item in framework?.Items.Where(i => i.Kind == JsonValueKind.Object) ?? Enumerable.Empty<JsonValue>())
                {
                    var severity = first ? (FindingSeverity?)null : FindingSeverity.Warning;
                    Text(item, "name", Declared, "the framework's name", severity: severity);
                    Text(item, "version", Declared, "the framework's version", severity: severity);
                    first = false;
                }
            }

            RequireOpen(code, "the training code", OpenTooling, ContentKind.Code, pinned: true);
        }

        private void CheckEvaluation(JsonValue training, HashSet<string> datasetIds)
        {
            var evaluation = Need(training, "evaluation", Declared, "the evaluation (metrics, data and results)");
            if (evaluation is null || !Disclose(evaluation, "the evaluation results", Declared, _noTrainingHappened)
                || evaluation["availability"]?.Text == "not-applicable")
            {
                return;
            }

            var evaluationIds = new HashSet<string>(StringComparer.Ordinal);
            foreach (var dataset in evaluation["datasets"]?.Items.Where(d => d.Kind == JsonValueKind.Object) ?? Enumerable.Empty<JsonValue>())
            {
                if (dataset["ref"] is { } reference)
                {
                    if (reference.Text is { } id && !datasetIds.Contains(id))
                    {
                        Report(LineageRules.UnknownDatasetReference, reference, Declared, $"'{id}' is not the id of a training dataset.");
                    }

                    continue;
                }

                if (Text(dataset, "id", Declared, "an id for this evaluation dataset")?.Text is { } own)
                {
                    evaluationIds.Add(own);
                }

                if (Disclose(dataset, "this evaluation dataset", Declared, notApplicableAllowed: false))
                {
                    DescribeData(dataset, "this evaluation dataset", Declared);
                    RequireOpen(dataset, $"evaluation dataset '{dataset["id"]?.Text}'", OpenScience, ContentKind.Data, pinned: true);
                }
            }

            var metrics = Need(evaluation, "metrics", Declared, "at least one evaluation metric with its dataset and value");
            bool resultsPublished = evaluation["availability"]?.Text is "open" or "restricted" && evaluation["locations"] is { Items.Count: > 0 };
            foreach (var metric in metrics?.Items.Where(m => m.Kind == JsonValueKind.Object) ?? Enumerable.Empty<JsonValue>())
            {
                Text(metric, "metric", Declared, "the metric's name");
                CheckMetricValue(metric, resultsPublished);
                if (Text(metric, "dataset", Declared, "the id of the dataset the metric was measured on")?.Text is { } id
                    && !datasetIds.Contains(id) && !evaluationIds.Contains(id))
                {
                    Report(LineageRules.UnknownDatasetReference, metric["dataset"]!, Declared,
                        $"'{id}' is not the id of a training or evaluation dataset in this manifest.");
                }
            }

            RequireOpenBenchmark(evaluation, metrics);
            RequireOpen(evaluation, "the evaluation results", OpenWeights, ContentKind.Document, pinned: true);
            var evaluationCode = evaluation["code"];
            if (evaluationCode is null)
            {
                Missing(evaluation, "code", Declared, "the evaluation code (where it is, or why it is closed)");
            }
            else if (Disclose(evaluationCode, "the evaluation code", Declared, notApplicableAllowed: false))
            {
                RequireOpen(evaluationCode, "the evaluation code", OpenTooling, ContentKind.Code, pinned: true);
            }
        }

        /// <summary>
        /// A metric names its value, or points at the published results that hold it (the evaluation's own locations,
        /// or the metric's reportedIn): listing a benchmark whose number sits in a pinned report discloses more than
        /// leaving it out, so it warns that the value is not machine-readable and never costs a level.
        /// </summary>
        private void CheckMetricValue(JsonValue metric, bool resultsPublished)
        {
            var reportedIn = metric["reportedIn"];
            if (reportedIn is not null)
            {
                CheckLocation(reportedIn, Declared);
            }

            var value = metric["value"];
            if (value is not null && value.Kind != JsonValueKind.Null)
            {
                return;
            }

            string name = metric["metric"]?.Text ?? "this metric";
            if (reportedIn is { Kind: JsonValueKind.Object } && (reportedIn["url"] is not null || reportedIn["path"] is not null))
            {
                Report(LineageRules.MetricValueNotTranscribed, metric, Declared,
                    $"'{name}' has no value: its number is only in the document at reportedIn; transcribe it in 'value' so tools can read it.",
                    FindingSeverity.Warning);
                if (!resultsPublished && !IsPinned(reportedIn))
                {
                    Report(LineageRules.LocationNotPinned, reportedIn["url"] ?? reportedIn, OpenWeights,
                        $"At {OpenWeights.ToName()}, the results '{name}' is reported in must be pinned: add a 'revision' (full commit hash, DOI, versioned id) or a 'digest'.");
                }
            }
            else if (resultsPublished)
            {
                Report(LineageRules.MetricValueNotTranscribed, metric, Declared,
                    $"'{name}' has no value: its number is only in the evaluation results at training.evaluation.locations; transcribe it in 'value' (or point at its table with 'reportedIn') so tools can read it.",
                    FindingSeverity.Warning);
            }
            else
            {
                Missing(metric, "value", Declared, "the measured value (or, when the number is only in a published report, the report's location in the evaluation's locations or in the metric's reportedIn)");
            }
        }

        /// <summary>
        /// Row 14 at open-tooling: at least one published metric is measured on an open dataset, so the results can
        /// be reproduced openly; every other, non-open benchmark is a warning (a single non-commercial benchmark
        /// must not block an otherwise open model).
        /// </summary>
        private void RequireOpenBenchmark(JsonValue evaluation, JsonValue? metrics)
        {
            var byId = new Dictionary<string, JsonValue>(StringComparer.Ordinal);
            foreach (var dataset in (_root["training"]?["data"]?["datasets"]?.Items ?? Array.Empty<JsonValue>())
                .Concat(evaluation["datasets"]?.Items ?? Array.Empty<JsonValue>())
                .Where(d => d.Kind == JsonValueKind.Object && d["id"]?.Text is not null))
            {
                byId[dataset["id"]!.Text!] = dataset;
            }

            bool OpenData(JsonValue dataset) => IsOpen(dataset) && dataset["license"]?.Text is { } license && Licenses.Judge(license, ContentKind.Data).Status == LicenseStatus.Open;

            var measured = (metrics?.Items ?? Array.Empty<JsonValue>())
                .Select(m => m["dataset"]?.Text)
                .Where(id => id is not null && byId.ContainsKey(id))
                .Select(id => byId[id!])
                .Distinct()
                .ToList();
            if (metrics is not null && measured.Count > 0 && !measured.Any(OpenData))
            {
                Report(LineageRules.NotOpenEnough, metrics, OpenTooling,
                    "At open-tooling, at least one published metric must be measured on an open, openly licensed dataset, so that the results can be reproduced openly.");
            }

            foreach (var dataset in evaluation["datasets"]?.Items.Where(d => d.Kind == JsonValueKind.Object && d["ref"] is null && !OpenData(d)) ?? Enumerable.Empty<JsonValue>())
            {
                Report(LineageRules.NonOpenBenchmark, dataset["license"] ?? dataset, OpenTooling,
                    $"Evaluation dataset '{dataset["id"]?.Text}' is not open under an open data licence: its results cannot be reproduced openly.", FindingSeverity.Warning);
            }
        }

        // Row 17.
        private void CheckInference()
        {
            var inference = _root["inference"];
            if (inference is null)
            {
                Missing(_root, "inference", OpenTooling, "the inference code (open tooling publishes it)");
            }
            // Optional components are checked at the level that first asks for them: a half-written disclosure
            // must not cost more than leaving the component out (which costs open-tooling).
            else if (Disclose(inference, "the inference code", OpenTooling, notApplicableAllowed: true))
            {
                RequireOpen(inference, "the inference code", OpenTooling, ContentKind.Code, pinned: true);
            }
        }

        // Rows 18 to 20.
        private void CheckDocumentation()
        {
            var documentation = _root["documentation"];
            var modelCard = documentation?["modelCard"];
            var dataCard = documentation?["dataCard"];
            if (modelCard is null)
            {
                Report(LineageRules.DocumentationAbsent, documentation ?? _root, Declared,
                    "No model card: add documentation.modelCard with its location so users learn the intended use and limitations.", FindingSeverity.Warning);
                Missing(documentation ?? _root, "modelCard", OpenWeights, "the model card (MOF Class III publishes it)");
            }
            else if (Disclose(modelCard, "the model card", OpenWeights, notApplicableAllowed: true))
            {
                RequireOpen(modelCard, "the model card", OpenWeights, ContentKind.Document, pinned: true);
            }

            bool modelCardCoversData = modelCard?["coversData"]?.Boolean == true;
            if (dataCard is null && modelCardCoversData)
            {
                Report(LineageRules.ModelCardCoversData, modelCard!["coversData"]!, OpenWeights,
                    "The model card stands in for the data card (coversData): MOF accepts it, but a data card says more about collection, cleaning and labelling.", FindingSeverity.Warning);
            }

            if (dataCard is null && !modelCardCoversData)
            {
                Report(LineageRules.DocumentationAbsent, documentation ?? _root, Declared,
                    "No data card: add documentation.dataCard with its location (or set modelCard.coversData when the model card documents the data).", FindingSeverity.Warning);
                Missing(documentation ?? _root, "dataCard", OpenWeights, "the data card (MOF Class III publishes it)");
            }
            else if (dataCard is not null && Disclose(dataCard, "the data card", OpenWeights, notApplicableAllowed: true))
            {
                RequireOpen(dataCard, "the data card", OpenWeights, ContentKind.Document, pinned: true);
            }

            // Row 20: a technical report or a research paper at open-weights; the paper itself at open-science.
            var paper = documentation?["researchPaper"];
            var report = documentation?["technicalReport"];
            // As with the cards, a document is checked at the level that first needs it: open-weights, and for the
            // paper only open-science when an open report already stands in for it.
            bool reportUsable = report is not null && Disclose(report, "the technical report", OpenWeights, notApplicableAllowed: true);
            bool reportOpen = reportUsable && IsOpen(report!);
            bool paperUsable = paper is not null && Disclose(paper, "the research paper", reportOpen ? OpenScience : OpenWeights, notApplicableAllowed: true);
            bool paperOpen = paperUsable && IsOpen(paper!);
            if (paperOpen)
            {
                RequireOpen(paper!, "the research paper", OpenWeights, ContentKind.Document, pinned: true);
            }
            else if (reportOpen)
            {
                RequireOpen(report!, "the technical report", OpenWeights, ContentKind.Document, pinned: true);
                Report(LineageRules.ReportInsteadOfPaper, report!, OpenScience,
                    "The technical report stands in for a research paper at open-science.", FindingSeverity.Warning);
            }
            else
            {
                var closest = paper ?? report;
                if (closest is null)
                {
                    Missing(documentation ?? _root, "technicalReport", OpenWeights, "an open technical report or research paper (MOF Class III publishes one)");
                }
                else
                {
                    RequireOpen(closest, closest == paper ? "the research paper" : "the technical report", OpenWeights, ContentKind.Document, pinned: true);
                }

                if (paper is null)
                {
                    Missing(documentation ?? _root, "researchPaper", OpenScience, "an open research paper (MOF Class I publishes one)");
                }
            }
        }

        /// <summary>D(x): the component says what it is and how it can be obtained. Returns false when unusable.</summary>
        private bool Disclose(JsonValue component, string what, LineageLevel level, bool notApplicableAllowed)
        {
            if (component.Kind != JsonValueKind.Object)
            {
                return false;
            }

            var availability = Text(component, "availability", level, $"whether {what} is open, restricted, closed or not-applicable", enumerated: true);
            switch (availability?.Text)
            {
                case "open":
                    Text(component, "description", level, $"a description of {what}", narrative: true);
                    NeedLocations(component, what, level);
                    if (Text(component, "license", level, $"the licence of {what} (an SPDX expression)", rule: LineageRules.LicenseMissing, enumerated: true)?.Text is { } license)
                    {
                        if (Licenses.Judge(license, ContentKind.Code).Status == LicenseStatus.Invalid)
                        {
                            Report(LineageRules.LicenseInvalid, component["license"]!, level, $"'{license}' is not a valid SPDX licence expression (write e.g. MIT, Apache-2.0, CC-BY-4.0 OR MIT).");
                        }
                    }

                    CheckOpenText(component, what, level);
                    break;
                case "restricted":
                    Text(component, "description", level, $"a description of {what}", narrative: true);
                    NeedLocations(component, what, level);
                    Text(component, "accessConditions", level, $"the conditions under which {what} can be obtained", narrative: true);
                    break;
                case "closed":
                    Text(component, "description", level, $"a description of {what}", narrative: true);
                    Text(component, "justification", level, $"why {what} cannot be published", narrative: true, allowEvasion: true);
                    break;
                case "not-applicable":
                    if (!notApplicableAllowed)
                    {
                        Report(LineageRules.NotApplicableMisused, availability, level,
                            $"{Capitalize(what)} cannot be 'not-applicable' here; say whether it is open, restricted or closed.");
                        return false;
                    }

                    if (component["justification"] is null)
                    {
                        Report(LineageRules.NotApplicableMisused, availability, level, $"Explain in 'justification' why {what} does not exist for this model.");
                    }

                    break;
                default:
                    return availability is not null;
            }

            foreach (var location in component["locations"]?.Items ?? Array.Empty<JsonValue>())
            {
                CheckLocation(location, level);
            }

            return true;
        }

        private void NeedLocations(JsonValue component, string what, LineageLevel level)
        {
            var locations = component["locations"];
            if (locations is null || locations.Items.Count == 0)
            {
                Report(LineageRules.LocationMissing, locations ?? component, level, $"Say where {what} can be obtained: add locations [{{ \"url\": ..., \"revision\": ... }}] or [{{ \"path\": ... }}].");
            }
        }

        private void CheckOpenText(JsonValue component, string what, LineageLevel level)
        {
            string description = component["description"]?.Text ?? string.Empty;
            if (description.IndexOf("on request", StringComparison.OrdinalIgnoreCase) >= 0
                || description.IndexOf("contact us", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                Report(LineageRules.StatusContradiction, component["availability"]!, level,
                    $"{Capitalize(what)} is marked 'open' but its description says it is available on request: that is 'restricted' (add accessConditions).");
            }

            var locations = component["locations"]?.Items ?? Array.Empty<JsonValue>();
            if (locations.Count > 0 && locations.All(l => !IsPinned(l)))
            {
                Report(LineageRules.LocationNotPinned, component["locations"]!, level,
                    $"No location of {what} is pinned; add a 'revision' (commit, DOI, versioned id) or 'digest' so readers get exactly what was used.",
                    FindingSeverity.Warning);
            }
        }

        private void CheckLocation(JsonValue location, LineageLevel level, bool urlOnly = false)
        {
            if (location.Kind != JsonValueKind.Object)
            {
                return;
            }

            var url = location["url"];
            var path = urlOnly ? null : location["path"];
            if (url is null && path is null && !urlOnly)
            {
                Report(LineageRules.LocationMissing, location, level, "A location has a 'url' or a 'path'.");
                return;
            }

            if (url?.Text is { } text && TextChecks.UrlProblem(text, out bool warningOnly) is { } problem)
            {
                Report(LineageRules.BadUrl, url, level, $"'{text}' {problem}.", warningOnly ? FindingSeverity.Warning : null);
            }

            if (path?.Text is { } local && (local.StartsWith("/", StringComparison.Ordinal) || local.Contains(":") || local.Contains("\\")))
            {
                Report(LineageRules.PathEscapes, path, level, $"'{local}' is not a relative path with '/' separators; write it relative to the manifest.");
            }
        }

        /// <summary>O_code / O_data / O_doc: open, licensed openly for its content, and (where asked) pinned.</summary>
        private void RequireOpen(JsonValue component, string what, LineageLevel level, ContentKind kind, bool pinned)
        {
            var availability = component["availability"];
            if (availability?.Text != "open")
            {
                if (availability?.Text is { } actual && !(actual == "not-applicable" && level > Declared && _noTrainingHappened))
                {
                    Report(LineageRules.NotOpenEnough, availability, level,
                        $"{Requirement(level)}, {what} must be open (published with an open licence); it is '{actual}'.");
                }

                return;
            }

            if (component["license"] is { Text: { } license } licenseValue)
            {
                JudgeLicense(licenseValue, license, kind, level, what);
            }

            if (pinned)
            {
                // One pinned location makes the component reproducible; further unpinned ones (a project page, a
                // mirror) add information, so they warn instead of costing the level.
                var locations = component["locations"]?.Items.Where(l => l.Kind == JsonValueKind.Object).ToList() ?? new List<JsonValue>();
                bool anyPinned = locations.Any(IsPinned);
                foreach (var location in locations.Where(l => !IsPinned(l)))
                {
                    Report(LineageRules.LocationNotPinned, location["url"] ?? location, level,
                        anyPinned
                            ? $"'{location["url"]?.Text}' is not pinned; {what} is pinned by another location, but readers who follow this one may get something else: add a 'revision' or a 'digest'."
                            : $"{Requirement(level)}, {what} must be pinned: add a 'revision' (full commit hash, DOI, versioned id) or a 'digest' to '{location["url"]?.Text}'.",
                        anyPinned ? FindingSeverity.Warning : null);
                }
            }
        }

        private void JudgeLicense(JsonValue at, string expression, ContentKind kind, LineageLevel level, string what, bool reportInvalid = false)
        {
            var verdict = Licenses.Judge(expression, kind);
            switch (verdict.Status)
            {
                case LicenseStatus.Invalid when reportInvalid:
                    Report(LineageRules.LicenseInvalid, at, Declared, $"'{expression}' is not a valid SPDX licence expression: {verdict.Detail}.");
                    break;
                case LicenseStatus.NoAssertion:
                    Report(LineageRules.LicenseNoAssertion, at, level, $"{Requirement(level)}, {what} needs an open licence; '{verdict.Detail}' asserts none.");
                    break;
                case LicenseStatus.Open when _profile is null && kind != ContentKind.Code && Licenses.IsCodeOnly(expression, kind):
                    Report(LineageRules.LicenseNotTypeAppropriate, at, level,
                        $"{what} is under '{expression}', a software licence; it counts as open, but a licence written for {kind.ToString().ToLowerInvariant()} (e.g. CC-BY-4.0, CDLA-Permissive-2.0) says what may be done with it.",
                        FindingSeverity.Warning);
                    break;
                case LicenseStatus.NotOpen:
                    Report(LineageRules.LicenseNotOpen, at, level,
                        $"{Requirement(level)}, {what} needs a licence that is open for {kind.ToString().ToLowerInvariant()}; '{verdict.Detail}' is not one OpenTrainAnalyzers knows to be open.");
                    break;
            }
        }

        private static bool IsOpen(JsonValue component) => component["availability"]?.Text == "open";

        private static bool IsPinned(JsonValue location)
        {
            if (location.Kind != JsonValueKind.Object || location["path"] is not null)
            {
                return true; // project-local files are pinned by the build's own source revision
            }

            return (location["digest"]?["sha256"]?.Text is { } digest && TextChecks.IsSha256(digest))
                || (location["revision"]?.Text is { } revision && TextChecks.IsImmutableRevision(revision))
                || (location["url"]?.Text is { } url && TextChecks.UrlEmbedsCommit(url));
        }

        private JsonValue? Need(JsonValue parent, string name, LineageLevel level, string what)
        {
            var value = parent[name];
            if (value is null || value.Kind == JsonValueKind.Null)
            {
                Missing(parent, name, level, what);
                return null;
            }

            if ((value.Kind == JsonValueKind.Array && value.Items.Count == 0) || (value.Kind == JsonValueKind.Object && value.Properties.Count == 0))
            {
                Report(LineageRules.Empty, value, level, $"'{value.Path}' is empty; write {what}.");
                return null;
            }

            return value;
        }

        private JsonValue? Text(JsonValue parent, string name, LineageLevel level, string what, bool narrative = false, bool allowEvasion = false, LineageRule? rule = null, bool enumerated = false, FindingSeverity? severity = null)
        {
            var value = parent[name];
            if (value is null || value.Kind == JsonValueKind.Null)
            {
                Report(rule ?? LineageRules.Missing, parent, level, $"Missing '{parent.Path}{JsonParserPath(name)}': write {what}.", severity, jsonPath: parent.Path + JsonParserPath(name));
                return null;
            }

            if (value.Kind != JsonValueKind.String)
            {
                return null; // the schema check already reported the wrong type
            }

            string text = value.Text!;
            if (text.Trim().Length == 0)
            {
                Report(LineageRules.Empty, value, level, $"'{value.Path}' is empty; write {what}.", severity);
                return null;
            }

            if (!enumerated && TextChecks.IsPlaceholder(text))
            {
                Report(LineageRules.Placeholder, value, level, $"'{value.Path}' is the placeholder '{text.Trim()}'; write {what}.", severity);
                return null;
            }

            if (narrative && !allowEvasion && TextChecks.IsEvasion(text))
            {
                Report(LineageRules.Placeholder, value, level, $"'{value.Path}' only says '{text.Trim()}'; describe {what} (if it cannot be published, mark the component 'closed' and say why in 'justification').", severity);
                return null;
            }

            if (narrative && TextChecks.WordCount(text) < 3)
            {
                Report(LineageRules.Placeholder, value, level, $"'{value.Path}' is too short to describe anything; write {what} in at least a sentence.", severity);
                return null;
            }

            return value;
        }

        private void Missing(JsonValue parent, string name, LineageLevel level, string what) =>
            Report(LineageRules.Missing, parent, level, $"Missing '{parent.Path}{JsonParserPath(name)}': {(level > Declared ? $"{level.ToName()} requires " : "write ")}{what}.", jsonPath: parent.Path + JsonParserPath(name));

        /// <summary>A missing element is located at the start of the object that should contain it.</summary>
        private static SourceRange StartOf(JsonValue value) => new SourceRange(
            value.Range.StartOffset,
            value.Range.StartOffset + 1,
            value.Range.Start,
            new SourcePosition(value.Range.Start.Line, value.Range.Start.Column + 1));

        private void Report(LineageRule rule, JsonValue at, LineageLevel level, string message, FindingSeverity? severity = null, string? jsonPath = null) =>
            _findings.Add(new LineageFinding(rule, message, jsonPath ?? at.Path, jsonPath is null ? at.Range : StartOf(at), level, severity) { Profile = _profile });

        private static string JsonParserPath(string name) => JsonParser.PathSegment(name);

        /// <summary>"At open-tooling" for a level; "For OSAID 1.0" while checking the profile.</summary>
        private string Requirement(LineageLevel level) => _profile is null ? "At " + level.ToName() : "For the " + _profile + " profile";

        private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);
    }
}
