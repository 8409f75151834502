using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using OpenTrain.Lineage;
using OpenTrain.Lineage.Json;
using OpenTrainAnalyzers.Build.Export;
using OpenTrainAnalyzers.Build.Files;
using OpenTrainAnalyzers.Build.Findings;
using OpenTrainAnalyzers.Build.Reports;
using OpenTrainAnalyzers.Build.Signing;
using OpenTrainAnalyzers.Build.Weights;

namespace OpenTrainAnalyzers.Build;

/// <summary>
/// Checks each training-lineage manifest against the level the project requires and binds its weights to their
/// bytes (size and SHA-256). Every finding is logged with its OTL code and its file/line/column in the manifest
/// (or the project file), unless an <c>OpenTrainSuppress</c> item with a justification covers it.
/// Reads the project's files; writes only the hash cache, the reports and the exports it is given paths for (obj/ by
/// default); never touches the network.
/// </summary>
public sealed class ValidateTrainingLineage : Task, ICancelableTask
{
    private readonly System.Threading.CancellationTokenSource _cancel = new();
    private LinkRoots _linkRoots = new(null, ".");
    private readonly LineageReport _report = new();
    private readonly List<ExportedModel> _exported = new();
    private LineageLevel _required = LineageLevel.Declared;
    private SeverityOptions _severity = new(null, false, null, null);
    private SuppressionSet? _suppressions;
    private int _errors;
    private int _warnings;
    private ExportFormats _formats = ExportFormats.None;
    private readonly HashSet<string> _inputFiles = new(StringComparer.Ordinal);

    /// <summary>Manifests read (and parsed) before the gate's loop, by full path.</summary>
    private readonly Dictionary<string, (LineageManifest? Manifest, List<LineageFinding> Findings)> _alreadyRead = new(StringComparer.Ordinal);

    /// <summary>
    /// A manifest declares a signature: its check lists the model's folder (a file added later is an unsigned file), which
    /// the incremental skip cannot watch by timestamps, so such a run is never remembered as clean and the gate runs again.
    /// </summary>
    private bool _checksSignedFolder;

    /// <summary>The manifests to check (items whose identity is the manifest path).</summary>
    [Required]
    public ITaskItem[] Manifests { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>declared (default), open-weights, open-tooling or open-science.</summary>
    public string? RequiredLevel { get; set; }

    /// <summary>Profiles checked in addition to the level, ';'-separated; today: osaid-1.0.</summary>
    public string? Profiles { get; set; }

    /// <summary>Compare each weight file's size and SHA-256 with the manifest (default true).</summary>
    public bool VerifyDigests { get; set; } = true;

    /// <summary>The project file, where configuration errors are located.</summary>
    public string? ProjectFile { get; set; }

    /// <summary>Codes whose warnings are not shown (the project's NoWarn).</summary>
    public string? NoWarn { get; set; }

    public bool TreatWarningsAsErrors { get; set; }

    public string? WarningsAsErrors { get; set; }

    public string? WarningsNotAsErrors { get; set; }

    /// <summary>
    /// Publish mode: the final ResolvedFileToPublish items (identity the source file, RelativePath where it lands). Set,
    /// the task checks what is published (OTL0207, weights of the manifests that list them) and writes no report or export.
    /// </summary>
    public ITaskItem[] PublishedFiles { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>True at publish (an empty item list cannot say so: MSBuild does not set an empty parameter).</summary>
    public bool Publish { get; set; }

    /// <summary>Where weight digests are remembered between builds (in obj/); empty means hash every file every time.</summary>
    public string? HashCacheFile { get; set; }

    /// <summary>Files the project ships (Content, None copied to the output, EmbeddedResource); model files among them must be declared.</summary>
    public ITaskItem[] ShippedFiles { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>OpenTrainSuppress items: identity is the code; metadata Manifest, Element, Justification, Until.</summary>
    public ITaskItem[] Suppressions { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>
    /// Folders outside a manifest's own folder tree where the final target of a symbolic weight or parent path may
    /// lie (';'-separated, relative to the project folder or absolute), e.g. a Hugging Face cache.
    /// </summary>
    public string? AllowedLinkRoots { get; set; }

    /// <summary>
    /// Lineage sources (docs/sharing-lineage.md): OpenTrainLineageSource folders, and the manifests lineage packages carry
    /// (items with OpenTrainPackageId, OpenTrainPackageVersion, OpenTrainPackageFile). A parent without a vendored path
    /// is found there by its identity.
    /// </summary>
    public ITaskItem[] Sources { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Folders listed in one source at most; internal so that a test can meet the limit without 20,000 folders.</summary>
    internal int SourceFolderLimit { get; set; } = SourceFolders.MaxFolders;

    /// <summary>
    /// A lineage-only package (OpenTrainLineagePackage): its manifests describe models it does not ship, so they are
    /// checked as parents are (reader, policy, their own parents) and no weight is expected on disk.
    /// </summary>
    public bool LineageOnly { get; set; }

    /// <summary>OpenTrainTrustedSigner items: a producer's PEM public key or PEM CA certificate (metadata Subject); docs/signed-weights.md.</summary>
    public ITaskItem[] TrustedSigners { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Every manifest's weights must carry an OpenSSF model signature that verifies against a trusted signer.</summary>
    public bool RequireSignature { get; set; }

    /// <summary>ISO 8601 instant at which signing certificates are checked; empty: the build's time.</summary>
    public string? SignatureVerificationTime { get; set; }

    /// <summary>Licence policy: ids, LicenseRef ids or categories denied (';'-separated); docs/licence-policy.md.</summary>
    public string? DeniedLicenses { get; set; }

    /// <summary>When set, every licence that is not on this list (ids or categories) is denied.</summary>
    public string? AllowedLicenses { get; set; }

    /// <summary>Which parts of the chain the policy judges; default weights;training-data.</summary>
    public string? LicenseScope { get; set; }

    /// <summary>SARIF 2.1.0 report path; empty means none.</summary>
    public string? SarifReport { get; set; }

    /// <summary>JSON summary path; empty means none.</summary>
    public string? JsonReport { get; set; }

    /// <summary>Formats to export after the gate: cyclonedx, spdx, mot; separated by ';', '+', ',' or spaces. Empty: none.</summary>
    public string? Export { get; set; }

    /// <summary>Where the CycloneDX 1.6 ML-BOM goes.</summary>
    public string? CycloneDxExport { get; set; }

    /// <summary>Where the SPDX 3.0.1 JSON-LD document goes.</summary>
    public string? SpdxExport { get; set; }

    /// <summary>The folder for the Model Openness Tool YAML files, one per model.</summary>
    public string? MotExportDirectory { get; set; }

    /// <summary>SOURCE_DATE_EPOCH, for reproducible export timestamps.</summary>
    public string? SourceDateEpoch { get; set; }

    /// <summary>The project's name and version, as the exports' subject.</summary>
    public string? ProjectName { get; set; }

    public string? ProjectVersion { get; set; }

    /// <summary>The files the exports wrote or found unchanged (for FileWrites and pack).</summary>
    [Output]
    public ITaskItem[] ExportedFiles { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>
    /// The files besides the manifests whose content decided this run (weights, their output copies, parent manifests):
    /// the targets take them as inputs of the incremental gate, so a changed weight runs it again.
    /// </summary>
    [Output]
    public ITaskItem[] InputFiles { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>
    /// True when the run was complete and logged no error and no warning: only then may the targets skip the gate on
    /// an unchanged rebuild (a skipped target replays nothing, and a warning must not vanish on the next build).
    /// </summary>
    [Output]
    public bool CleanPass { get; private set; }

    /// <summary>The lowest level reached over all manifests (none when any manifest fails 'declared').</summary>
    [Output]
    public string? LowestAchievedLevel { get; private set; }

    /// <summary>The tool version written into exports; tests fix it so golden files do not change with each commit.</summary>
    internal string? ToolVersionOverride { get; set; }

    /// <summary>The local date suppressions expire against; tests set it.</summary>
    internal DateTime? Today { get; set; }

    /// <summary>Ctrl+C or a cancelled build: hashing stops between two 1 MiB reads; nothing half-hashed is cached.</summary>
    public void Cancel() => _cancel.Cancel();

    public override bool Execute()
    {
        try
        {
            // A configuration error (level, profile, export format) stops before any export: the last good ones stay.
            bool configured = Run();
            if (!Publish)
            {
                WriteReports();
            }

            if (configured && !Publish)
            {
                WriteExports();
            }

            InputFiles = _inputFiles.OrderBy(f => f, StringComparer.Ordinal).Select(f => (ITaskItem)new TaskItem(f)).ToArray();
            CleanPass = configured && _errors == 0 && _warnings == 0 && !Log.HasLoggedErrors && !_checksSignedFolder;
        }
        catch (Exception e) when (IsCancellation(e))
        {
            // The hash cache is not saved: the previous one stays as it was, trusted only for files hashed completely.
            Log.LogMessage(MessageImportance.High, "OpenTrain: lineage validation cancelled; no weight digest of this run was cached.");
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Never an MSB4018 crash: whatever happened becomes a located, coded error.
            // The runtime's text can echo raw input (paths, values): it goes to the detailed log, escaped, not into the error.
            Log.LogError(null, LineageRules.ValidationFailed.Id, null, LineageRules.ValidationFailed.HelpLink, SafeFiles.Escape(ProjectFile), 0, 0, 0, 0,
                $"OpenTrain lineage validation stopped unexpectedly ({e.GetType().Name}); please report it with the manifest that caused it. The details are in the build log at detailed verbosity (-v:d).");
            Log.LogMessage(MessageImportance.Low, "OpenTrain: " + SafeFiles.Escape(e.ToString()));
        }

        return !Log.HasLoggedErrors;
    }

    private bool IsCancellation(Exception e) =>
        _cancel.IsCancellationRequested
        && (e is OperationCanceledException || (e is AggregateException aggregate && aggregate.Flatten().InnerExceptions.All(i => i is OperationCanceledException)));

    /// <returns>false when the project's configuration is wrong (OTL0010, OTL0012, OTL0013): nothing was checked.</returns>
    private bool Run()
    {
        _severity = new SeverityOptions(NoWarn, TreatWarningsAsErrors, WarningsAsErrors, WarningsNotAsErrors);
        string projectFile = ProjectFile ?? string.Empty;
        _report.ProjectFile = ProjectFile;
        _suppressions = SuppressionSet.From(Suppressions, ProjectDirectory(), Today ?? DateTime.Today);
        _report.Suppressions = _suppressions.Items;
        foreach (var problem in !Publish ? _suppressions.Problems : Enumerable.Empty<LineageFinding>())
        {
            Emit(projectFile, null, problem);
        }

        string levelText = string.IsNullOrWhiteSpace(RequiredLevel) ? "declared" : RequiredLevel!.Trim();
        _report.RequiredLevel = levelText;
        if (!LineageLevels.TryParse(levelText, out var required))
        {
            Emit(projectFile, null, new LineageFinding(LineageRules.UnknownLevel, $"OpenTrainRequiredLevel is '{levelText}'; use one of: {LineageLevels.ValidNames}.", string.Empty, null, LineageLevel.Declared));
            return false;
        }

        _report.RequiredLevel = required.ToName();
        _required = required;
        var profiles = (Profiles ?? string.Empty).Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
        foreach (var unknown in profiles.Where(p => !string.Equals(p, CompletenessPolicy.OsaidProfile, StringComparison.OrdinalIgnoreCase)))
        {
            Emit(projectFile, null, new LineageFinding(LineageRules.UnknownProfile, $"OpenTrainProfiles names '{unknown}'; the known profile is {CompletenessPolicy.OsaidProfile}.", string.Empty, null, LineageLevel.Declared));
        }

        if (profiles.Count > 0 && !profiles.All(p => string.Equals(p, CompletenessPolicy.OsaidProfile, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        _formats = ExportFormatNames.Parse(Export, out var unknownFormats);
        foreach (var name in unknownFormats)
        {
            Emit(projectFile, null, new LineageFinding(LineageRules.UnknownExportFormat,
                $"OpenTrainExport names '{name}'; the formats are cyclonedx, spdx and mot (separate them with '+' or a quoted ';').", string.Empty, null, LineageLevel.Declared));
        }

        if (unknownFormats.Count > 0)
        {
            return false;
        }

        _linkRoots = new LinkRoots(AllowedLinkRoots, ProjectDirectory());
        foreach (var rejected in _linkRoots.Rejected)
        {
            Emit(projectFile, null, new LineageFinding(LineageRules.PathEscapes,
                $"OpenTrainAllowedLinkRoots names '{rejected}', which is not a folder that can bound links (a file-system root allows everything); it is ignored. Name the folder that holds the linked files, e.g. the Hugging Face cache.",
                string.Empty, null, LineageLevel.Declared));
        }

        if (Publish)
        {
            RunPublish(PublishedFiles, projectFile);
            return true;
        }

        var signatureProblems = new List<LineageFinding>();
        var signing = SignaturePolicy.Read(TrustedSigners, RequireSignature, SignatureVerificationTime, DateTime.UtcNow, ProjectDirectory(), signatureProblems);
        foreach (var problem in signatureProblems)
        {
            Emit(projectFile, null, problem);
        }

        var licensePolicy = new Policy.LicensePolicyGate(DeniedLicenses, AllowedLicenses, LicenseScope);
        foreach (var problem in licensePolicy.ConfigurationProblems())
        {
            Emit(projectFile, null, problem);
        }

        var sourceProblems = new List<LineageFinding>();
        var sources = SourceFolders.From(Sources, ProjectDirectory(), sourceProblems, out var sourceRoots, SourceFolderLimit);
        EmitAll(projectFile, sourceProblems);

        var hasher = WeightHasher.Load(HashCacheFile);
        var shardDigests = ShardDigests.Load(string.IsNullOrEmpty(HashCacheFile) ? null : Path.ChangeExtension(HashCacheFile, ".shards.cache"));
        var headers = HeaderChecks.Load(string.IsNullOrEmpty(HashCacheFile) ? null : Path.ChangeExtension(HashCacheFile, ".headers.cache"));
        hasher.Cancellation = _cancel.Token;
        _report.Hashing = VerifyDigests ? hasher : null;
        var declaredWeights = new HashSet<string>(WeightVerifier.PathComparer);
        var lowest = LineageLevel.OpenScience;
        var summaries = new List<string>();
        var models = ModelsNotParents(Manifests);
        foreach (var item in models)
        {
            _cancel.Token.ThrowIfCancellationRequested();
            string path = item.GetMetadata("FullPath");
            string directory = Path.GetDirectoryName(path)!;
            // A manifest a package brought (ResolvePackagedLineage): its findings name the package, suppressions match it by id.
            string? packageId = item.GetMetadata("OpenTrainPackageId") is { Length: > 0 } id ? id : null;
            string? package = packageId is null ? null : packageId + " " + item.GetMetadata("OpenTrainPackageVersion");
            string? outputDirectory = item.GetMetadata("OpenTrainOutputDirectory") is { Length: > 0 } output ? output : null;
            var (manifest, findings) = _alreadyRead.TryGetValue(path, out var read) ? read : Read(path);
            var achieved = LineageLevel.None;
            LineageEvaluation? evaluation = null;
            SignatureOutcome? signature = null;
            IReadOnlyList<LicenseDecision>? licenseDecisions = null;
            IReadOnlyList<ResolvedParent> parents = Array.Empty<ResolvedParent>();
            if (manifest is not null)
            {
                evaluation = CompletenessPolicy.Evaluate(manifest);
                findings.AddRange(evaluation.FindingsFor(required, profiles));
                // A source manifest's own vendored parents lie in its source: reading them there stays inside the allowed roots.
                var roots = sourceRoots.Count == 0 ? _linkRoots.For(directory) : _linkRoots.For(directory).Concat(sourceRoots).ToList();
                var chain = LineageChain.Resolve(path, manifest, evaluation.AchievedLevel, parent =>
                {
                    _inputFiles.Add(parent);
                    return ReadParentManifest(parent, roots);
                }, sources);
                AddSourceInputs(chain.Parents);
                parents = chain.Parents;
                EmitAll(projectFile, sourceProblems);
                findings.AddRange(chain.Findings.Where(f => f.RequiredBy <= required));
                achieved = chain.EffectiveLevel;
                licenseDecisions = licensePolicy.Judge(path, manifest, chain.Parents, package, packageId);
                foreach (var file in LineageOnly ? Array.Empty<OpenTrain.Lineage.Model.WeightFile>() : manifest.WeightFiles)
                {
                    if (WeightVerifier.FullPathOf(file, directory) is { } weight)
                    {
                        declaredWeights.Add(weight);
                        _inputFiles.Add(weight);
                    }

                    if (outputDirectory is not null && WeightVerifier.FullPathOf(file, outputDirectory) is { } copy)
                    {
                        _inputFiles.Add(copy);
                    }
                }

                var rootFinding = RootDigest.Check(manifest);
                if (rootFinding is not null)
                {
                    findings.Add(rootFinding);
                    achieved = LineageLevel.None;
                }

                bool weightsVerified = false;
                if (VerifyDigests && !LineageOnly)
                {
                    var weightFindings = WeightVerifier.Verify(manifest, directory, hasher, _linkRoots);
                    if (outputDirectory is not null)
                    {
                        // What the app ships is the copy in its output folder: a copy changed after it was made is caught too.
                        weightFindings.AddRange(WeightVerifier.VerifyCopies(manifest, outputDirectory, hasher));
                    }

                    findings.AddRange(weightFindings);
                    findings.AddRange(WeightVerifier.UndeclaredExternalData(manifest, directory));
                    _inputFiles.UnionWith(WeightVerifier.ExternalDataCandidates(manifest, directory));

                    // What the files say about themselves against what the manifest says (OTL0208, OTL0209).
                    findings.AddRange(headers.Check(manifest, directory, _linkRoots));
                    weightsVerified = manifest.WeightFiles.Count > 0 && rootFinding is null && !weightFindings.Any(f => f.Severity == FindingSeverity.Error);
                    if (weightFindings.Any(f => f.Severity == FindingSeverity.Error))
                    {
                        achieved = LineageLevel.None;
                    }
                }

                // The producer's OpenSSF model signature (weights.signature), over the digests just bound to the bytes.
                signature = LineageOnly ? null : ModelSignature.Check(manifest, path, signing.Signers, signing.VerificationTimeUtc, signing.Required, weightsVerified, shardDigests, findings);
                if (manifest.Document?.Weights.Node?.Signature.Node is not null && !LineageOnly)
                {
                    _checksSignedFolder = true;
                }

                // A packaged manifest's key is its place in the package, not in this machine's package folder: exports stay reproducible.
                string key = packageId is null ? RelativeToProject(path) : $"{packageId}@{item.GetMetadata("OpenTrainPackageVersion")}/{item.GetMetadata("OpenTrainPackageFile")}";
                _exported.Add(new ExportedModel(key, manifest, evaluation.AchievedLevel, achieved, chain.Parents, weightsVerified, new List<Suppression>(),
                    packageId is null ? null : $"pkg:nuget/{packageId}@{item.GetMetadata("OpenTrainPackageVersion")}") { Signature = signature, LicenseDecisions = licenseDecisions });
            }

            foreach (var finding in findings)
            {
                Emit(path, path, finding, package: package, packageId: packageId);
            }

            lowest = LineageLevels.Min(lowest, achieved);
            _report.Models.Add(new ModelSummary(path, manifest?.ModelName, achieved, package?.Replace(' ', '@')) { Signature = signature, LicenseDecisions = licenseDecisions, Parents = parents });
            string profileResults = evaluation is null || profiles.Count == 0
                ? string.Empty
                : ", " + CompletenessPolicy.OsaidProfile + (evaluation.Satisfies(CompletenessPolicy.OsaidProfile) ? " met" : " not met");
            string signed = signature is null ? string.Empty : signature.IsVerified ? $", signed by {SafeFiles.Escape(signature.Signer)}{(signature.LineageSigned ? " (lineage too)" : string.Empty)}" : $", signature {signature.Status}";
            summaries.Add($"{SafeFiles.Escape(manifest?.ModelName ?? Path.GetFileName(path))}{(package is null ? string.Empty : " from package " + SafeFiles.Escape(package))}: {achieved.ToName()}{profileResults}{signed}");
        }

        // Licence policy findings: after every model is judged, so each licence is reported once, in its own manifest.
        foreach (var (manifestFile, finding, package, packageId) in licensePolicy.Findings())
        {
            Emit(manifestFile, manifestFile, finding, package: package, packageId: packageId);
        }

        foreach (var shipped in ShippedWeights.Find(ShippedFiles, ProjectDirectory(), declaredWeights))
        {
            Emit(projectFile, null, new LineageFinding(LineageRules.UndeclaredShippedWeights,
                $"'{shipped.ItemSpec}' ({shipped.ItemType}) ships model weights ({shipped.Why}) that no training-lineage manifest lists in weights.files. Declare it in a manifest next to it, or stop shipping it.",
                string.Empty, null, LineageLevel.Declared), shipped.ItemSpec);
        }

        ReportUnusedSuppressions(projectFile);

        if (VerifyDigests && Manifests.Length > 0)
        {
            hasher.Save();
            headers.Save();
            shardDigests.Save();
            Log.LogMessage(MessageImportance.Normal, headers.Summary());
            Log.LogMessage(MessageImportance.Normal, string.Format(CultureInfo.InvariantCulture,
                "OpenTrain: hashed {0} weight file(s) ({1:N0} bytes), {2} reused from cache.", hasher.HashedFiles, hasher.HashedBytes, hasher.ReusedFiles));
        }

        LowestAchievedLevel = models.Count == 0 ? null : lowest.ToName();
        _report.LowestAchievedLevel = LowestAchievedLevel;
        Log.LogMessage(
            models.Count == 0 ? MessageImportance.Normal : MessageImportance.High,
            models.Count == 0
                ? "OpenTrain: no training-lineage manifests in this project (*.lineage.json)."
                : $"OpenTrain: {models.Count} lineage manifest(s) checked against '{required.ToName()}' ({string.Join("; ", summaries)}); {_errors} error(s), {_warnings} warning(s).");
        return true;
    }

    /// <summary>
    /// The manifests to check as this project's models, in a stable order. A manifest that another one vendors as its
    /// parent (lineage/base.lineage.json beside a fine-tune) and whose own weights are not here describes a model the
    /// project does not ship: it is checked through its child's chain (its level caps the child, OTL0503; an unreadable
    /// one is OTL0501), not as a model with missing weights. In a lineage package every manifest is checked.
    /// </summary>
    private List<ITaskItem> ModelsNotParents(ITaskItem[] manifests)
    {
        var ordered = manifests.OrderBy(m => m.ItemSpec, StringComparer.Ordinal).ToList();
        if (LineageOnly || ordered.Count < 2)
        {
            return ordered;
        }

        var byPath = new Dictionary<string, (ITaskItem Item, LineageManifest? Manifest)>(WeightVerifier.PathComparer);
        foreach (var item in ordered)
        {
            string path = item.GetMetadata("FullPath");
            var read = Read(path);
            _alreadyRead[path] = read; // the gate's loop takes it from here: each manifest is read and parsed once
            byPath[path] = (item, read.Manifest);
        }

        // Vendored parents without their weights, and the child that names each (parent -> its children).
        var candidates = new Dictionary<string, List<string>>(WeightVerifier.PathComparer);
        foreach (var entry in byPath)
        {
            if (entry.Value.Manifest is not { } childManifest)
            {
                continue;
            }

            foreach (var (full, _) in WeightVerifier.VendoredParents(childManifest, Path.GetDirectoryName(entry.Key)!))
            {
                if (byPath.TryGetValue(full, out var vendored) && vendored.Manifest is { } parentManifest
                    && !parentManifest.WeightFiles.Any(file => WeightVerifier.FullPathOf(file, Path.GetDirectoryName(full)!) is { } weight && SafeFiles.KindOf(weight) == FileKind.Regular))
                {
                    if (!candidates.TryGetValue(full, out var children))
                    {
                        candidates[full] = children = new List<string>();
                    }

                    children.Add(entry.Key);
                }
            }
        }

        // Only parents reached from a manifest that is checked as a model leave the list: manifests that name each other
        // in a cycle, with no model above them, stay, so the cycle is reported (OTL0504), never hidden.
        var parentsOnly = new Dictionary<string, string>(WeightVerifier.PathComparer);
        var pending = new Queue<string>(byPath.Keys.Where(path => !candidates.ContainsKey(path)));
        while (pending.Count > 0)
        {
            string child = pending.Dequeue();
            foreach (var candidate in candidates.Where(c => c.Value.Contains(child, WeightVerifier.PathComparer) && !parentsOnly.ContainsKey(c.Key)))
            {
                parentsOnly[candidate.Key] = child;
                pending.Enqueue(candidate.Key);
            }
        }

        foreach (var parent in parentsOnly)
        {
            Log.LogMessage(MessageImportance.Normal, SafeFiles.Escape(
                $"OpenTrain: {RelativeToProject(parent.Key)} is the vendored parent of {RelativeToProject(parent.Value)} and its weights are not here: it is checked through that chain, not as a model of this project."));
        }

        return ordered.Where(item => !parentsOnly.ContainsKey(item.GetMetadata("FullPath"))).ToList();
    }

    /// <summary>Source manifests the chain used (at any depth) are inputs of the gate: a changed one must run it again.</summary>
    private void AddSourceInputs(IReadOnlyList<ResolvedParent> parents)
    {
        foreach (var parent in parents)
        {
            if (parent.Origin is not null && parent.ManifestPath is { } path)
            {
                _inputFiles.Add(path.Replace('/', Path.DirectorySeparatorChar));
            }

            AddSourceInputs(parent.Parents);
        }
    }

    /// <summary>Logs the lineage-source problems found so far (OTL0017, at the project file) and forgets them.</summary>
    private void EmitAll(string projectFile, List<LineageFinding> problems)
    {
        foreach (var problem in problems)
        {
            Emit(projectFile, null, problem);
        }

        problems.Clear();
    }

    /// <summary>
    /// At publish, over the final ResolvedFileToPublish list: a model file that no manifest lists is OTL0207 (whatever
    /// brought it: an item of this project, a project reference, a package), and each manifest whose weights are
    /// published has its weights verified again (sizes, SHA-256; cached by path, size and time). The levels were the
    /// build's business and are not reported twice.
    /// </summary>
    private void RunPublish(ITaskItem[] published, string projectFile)
    {
        var hasher = WeightHasher.Load(HashCacheFile);
        hasher.Cancellation = _cancel.Token;
        var declaredBy = new Dictionary<string, (string Path, LineageManifest Manifest)>(WeightVerifier.PathComparer);
        foreach (var item in Manifests.OrderBy(m => m.ItemSpec, StringComparer.Ordinal))
        {
            string path = item.GetMetadata("FullPath");
            var (manifest, _) = Read(path);
            if (manifest is null)
            {
                continue; // unreadable: the build reported it; its weights count as undeclared below
            }

            foreach (var file in manifest.WeightFiles)
            {
                if (WeightVerifier.FullPathOf(file, Path.GetDirectoryName(path)!) is { } weight && !declaredBy.ContainsKey(weight))
                {
                    declaredBy[weight] = (path, manifest);
                }
            }
        }

        var verified = new HashSet<string>(WeightVerifier.PathComparer);
        int checkedFiles = 0;
        foreach (var item in published)
        {
            _cancel.Token.ThrowIfCancellationRequested();
            string source = item.GetMetadata("FullPath");
            string destination = (item.GetMetadata("RelativePath") is { Length: > 0 } relative ? relative : Path.GetFileName(source)).Replace('\\', '/');
            if (declaredBy.TryGetValue(source, out var owner))
            {
                checkedFiles++;
                if (VerifyDigests && verified.Add(owner.Path))
                {
                    string directory = Path.GetDirectoryName(owner.Path)!;
                    foreach (var finding in WeightVerifier.Verify(owner.Manifest, directory, hasher, _linkRoots))
                    {
                        Emit(owner.Path, owner.Path, finding);
                    }
                }

                continue;
            }

            if (ShippedWeights.WhyModel(source) is { } why)
            {
                checkedFiles++;
                Emit(projectFile, null, new LineageFinding(LineageRules.UndeclaredShippedWeights,
                    $"'{destination}' is published ({why}, from '{source}') but no training-lineage manifest lists it in weights.files. Declare it in a manifest next to it, or stop publishing it.",
                    string.Empty, null, LineageLevel.Declared), destination);
            }
        }

        if (VerifyDigests && verified.Count > 0)
        {
            hasher.Save();
        }

        ReportUnusedSuppressions(projectFile, publishOnly: true);
        Log.LogMessage(MessageImportance.High, $"OpenTrain: publish checked {checkedFiles} model file(s) among {published.Length} published file(s); {_errors} error(s), {_warnings} warning(s).");
    }

    /// <summary>OTL0601 for each expired suppression, OTL0602 for each valid one that matched nothing.</summary>
    private void ReportUnusedSuppressions(string projectFile, bool publishOnly = false)
    {
        foreach (var suppression in _suppressions!.Items)
        {
            // At publish only a part of the findings exists: unused and expired suppressions are the build's to report.
            if (suppression.Invalid || publishOnly)
            {
                continue;
            }

            if (suppression.Expired)
            {
                string covered = suppression.Matched == 0 ? "It matches no finding any more: remove it." : $"The {suppression.Matched} finding(s) it covered are reported again: fix them, or renew the suppression with a new Until date and justification.";
                Emit(projectFile, null, new LineageFinding(LineageRules.SuppressionExpired,
                    $"The OpenTrainSuppress item for {suppression.Describe()} expired on {suppression.UntilText}. {covered}", string.Empty, null, LineageLevel.Declared));
            }
            else if (suppression.Matched == 0)
            {
                Emit(projectFile, null, new LineageFinding(LineageRules.SuppressionStale,
                    $"The OpenTrainSuppress item for {suppression.Describe()} matches no finding: the problem is fixed or the item is mistyped. Remove it, or correct its code, Manifest or Element.", string.Empty, null, LineageLevel.Declared));
            }
        }
    }

    /// <summary>
    /// CycloneDX, SPDX and MOT files from the evaluation this run made (no second parse). A file whose content is
    /// unchanged is not rewritten, so an unchanged rebuild touches nothing.
    /// </summary>
    private void WriteExports()
    {
        var formats = _formats;
        if (formats == ExportFormats.None)
        {
            return;
        }

        var models = _exported.Select(m => new ExportedModel(m.RelativePath, m.Manifest, m.OwnLevel, m.EffectiveLevel, m.Parents, m.WeightsVerified, ActiveSuppressions(m), m.PackageUrl) { Signature = m.Signature, LicenseDecisions = m.LicenseDecisions }).ToList();
        var set = new ExportSet(ProjectName ?? Path.GetFileNameWithoutExtension(ProjectFile ?? "project"), ProjectVersion, _required, SourceDateEpoch, models, ToolVersionOverride ?? LineageReport.ToolVersion());
        var written = new List<ITaskItem>();
        if ((formats & ExportFormats.CycloneDx) != 0)
        {
            WriteIfChanged(CycloneDxExport, "CycloneDX export", () => global::OpenTrainAnalyzers.Build.Export.CycloneDxExport.Write(set), written);
        }

        if ((formats & ExportFormats.Spdx) != 0)
        {
            WriteIfChanged(SpdxExport, "SPDX export", () => global::OpenTrainAnalyzers.Build.Export.SpdxExport.Write(set), written);
        }

        if ((formats & ExportFormats.Mot) != 0 && !string.IsNullOrWhiteSpace(MotExportDirectory))
        {
            foreach (var (fileName, yaml) in MotExport.Write(set))
            {
                WriteIfChanged(Path.Combine(MotExportDirectory!, fileName), "MOT export", () => yaml, written);
            }
        }

        ExportedFiles = written.ToArray();
        Log.LogMessage(MessageImportance.Normal, $"OpenTrain: exported {string.Join(", ", written.Select(w => w.ItemSpec))}.");
    }

    /// <summary>The valid, unexpired suppressions that hid findings of this manifest (an exception a reviewer must see).</summary>
    private IReadOnlyList<Suppression> ActiveSuppressions(ExportedModel model) =>
        _suppressions?.Items.Where(s => !s.Invalid && !s.Expired && s.Matched > 0
            && string.Equals(s.Package, model.PackageUrl?.Substring("pkg:nuget/".Length).Split('@')[0], StringComparison.OrdinalIgnoreCase)
            && (s.ManifestFullPath is null || string.Equals(RelativeToProject(s.ManifestFullPath), model.RelativePath, StringComparison.Ordinal))).ToList()
        ?? new List<Suppression>();

    private string RelativeToProject(string fullPath)
    {
        string root = ProjectDirectory().TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
        string relative = fullPath.StartsWith(root, StringComparison.Ordinal) ? fullPath.Substring(root.Length) : Path.GetFileName(fullPath);
        return relative.Replace('\\', '/');
    }

    private void WriteIfChanged(string? path, string what, Func<string> content, List<ITaskItem> written)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return;
        }

        try
        {
            string fullPath = Path.GetFullPath(path);
            string text = content();

            if (!IsUnchanged(fullPath, text))
            {
                SafeFiles.WriteAtomically(fullPath, text);
            }

            written.Add(new TaskItem(fullPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            Log.LogError(null, LineageRules.ValidationFailed.Id, null, LineageRules.ValidationFailed.HelpLink, ProjectFile ?? string.Empty, 0, 0, 0, 0,
                $"OpenTrain could not write the {what} to '{path}': {e.Message}");
        }
    }

    /// <summary>
    /// The file already holds exactly this text. Compared only when it is a regular file of the same byte count (a FIFO
    /// put at the path must not block the build); anything else counts as changed and is replaced atomically.
    /// </summary>
    private static bool IsUnchanged(string fullPath, string text)
    {
        var existing = SafeFiles.Check(fullPath, null);
        return existing.Status == FileCheckStatus.Regular
            && new FileInfo(existing.Target ?? fullPath).Length == Encoding.UTF8.GetByteCount(text)
            && File.ReadAllText(existing.Target ?? fullPath) == text;
    }

    private void WriteReports()
    {
        Write(SarifReport, "SARIF report", () => _report.Sarif());
        Write(JsonReport, "JSON lineage summary", () => _report.Summary());
    }

    private void Write(string? path, string what, Func<string> content)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return;
        }

        try
        {
            // Only a changed report is written (anything that takes it as an input does not rerun), as a new file
            // renamed over the old one: a FIFO or device at the report path is replaced, never opened.
            string fullPath = Path.GetFullPath(path);
            string text = content();
            if (!IsUnchanged(fullPath, text))
            {
                SafeFiles.WriteAtomically(fullPath, text);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            // A report CI asked for and did not get is a failed build step, not a silent gap.
            Log.LogError(null, LineageRules.ValidationFailed.Id, null, LineageRules.ValidationFailed.HelpLink, SafeFiles.Escape(ProjectFile), 0, 0, 0, 0,
                SafeFiles.Escape($"OpenTrain could not write the {what} to '{path}': {SafeFiles.Reason(e)}."));
        }
    }

    private string ProjectDirectory()
    {
        try
        {
            return string.IsNullOrEmpty(ProjectFile) ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(ProjectFile)) ?? Directory.GetCurrentDirectory();
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException or System.Security.SecurityException)
        {
            return Directory.GetCurrentDirectory();
        }
    }

    /// <summary>
    /// Reads a parent manifest for the lineage chain: the same checked, bounded read as any manifest, plus the link
    /// policy of weights (a link must end inside the child manifest's folder or an opt-in root). Never throws.
    /// </summary>
    private static ManifestFile ReadParentManifest(string path, IReadOnlyList<string> roots)
    {
        var check = SafeFiles.Check(path, roots);
        if (check.Status == FileCheckStatus.LinkOutside)
        {
            return ManifestFile.Refused(LineageRules.PathEscapes,
                $"is a symbolic link whose target '{check.Target}' is outside the manifest's folder and the allowed link roots; it was not read. Vendor the parent manifest itself, or add its folder to OpenTrainAllowedLinkRoots.");
        }

        var (bytes, _, problem) = ReadBounded(path, missing: "no such file");
        return bytes is not null ? ManifestFile.Of(bytes) : ManifestFile.Missing(problem!);
    }

    internal static (LineageManifest? Manifest, List<LineageFinding> Findings) Read(string path)
    {
        var (bytes, rule, problem) = ReadBounded(path);
        if (bytes is null)
        {
            return (null, new List<LineageFinding> { new LineageFinding(rule!, problem!, "$", null, LineageLevel.Declared) });
        }

        var manifest = LineageManifest.Read(bytes);
        return manifest.IsReadable ? (manifest, new List<LineageFinding>()) : (null, new List<LineageFinding>(manifest.Findings));
    }

    /// <summary>
    /// A manifest's bytes, or why not: missing, a directory, not a regular file (a FIFO would block the open forever,
    /// a device such as /dev/zero would never end), a link loop, over the size limit, unreadable. The file type is
    /// checked before the file is opened, and the read stops at the size limit whatever length the file reports
    /// (0 for /proc files), so no manifest can cost the build its memory or time. Never throws.
    /// </summary>
    private static (byte[]? Bytes, LineageRule? Rule, string? Problem) ReadBounded(string path, string? missing = null)
    {
        try
        {
            var check = SafeFiles.Check(Path.GetFullPath(path), null);
            switch (check.Status)
            {
                case FileCheckStatus.Directory:
                    return (null, LineageRules.Unreadable, $"'{path}' is a directory, not a manifest file.");
                case FileCheckStatus.Missing:
                    return (null, LineageRules.Unreadable, missing ?? $"The manifest '{path}' does not exist; fix the OpenTrainManifest item or create the file.");
                case FileCheckStatus.LinkLoop:
                    return (null, LineageRules.Unreadable, $"'{path}' goes through more than {SafeFiles.MaxLinkHops} symbolic links (at '{check.Target}'): the links form a loop. Replace the link with the manifest file.");
                case FileCheckStatus.LinkUnresolvable:
                    return (null, LineageRules.Unreadable, $"'{path}' goes through a link or reparse point ('{check.Target}') that this MSBuild host (.NET Framework) cannot resolve; replace it with the manifest file, or build with `dotnet build`.");
                case FileCheckStatus.NotRegular:
                    return (null, LineageRules.Unreadable,
                        $"'{path}' is {SafeFiles.Describe(check.Kind)}{(check.ViaLink ? $" ('{check.Target}')" : string.Empty)}, not a regular file: it was not opened (reading it could block the build or never end). A lineage manifest must be a regular JSON file.");
            }

            var info = new FileInfo(check.Target ?? path); // a link's own FileInfo has the link's length
            if (info.Length > LineageManifest.MaxBytes)
            {
                return (null, LineageRules.LimitExceeded,
                    $"The manifest is {info.Length:N0} bytes; the limit is {LineageManifest.MaxBytes:N0}. A lineage manifest describes files, it never contains them.");
            }

            var bytes = SafeFiles.ReadCapped(info.FullName, LineageManifest.MaxBytes, out bool tooLarge);
            if (tooLarge)
            {
                return (null, LineageRules.LimitExceeded,
                    $"The manifest has more than {LineageManifest.MaxBytes:N0} bytes (although its size is reported as {info.Length:N0}); the limit is {LineageManifest.MaxBytes:N0}. A lineage manifest describes files, it never contains them.");
            }

            return (bytes, null, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            return (null, LineageRules.Unreadable, $"The manifest cannot be read: {SafeFiles.Reason(e)}.");
        }
    }

    /// <summary>
    /// Logs one finding unless a suppression or NoWarn hides it, and records it for the reports either way.
    /// <paramref name="element"/> is what suppressions match: the JSON path, or the item of a shipped file.
    /// </summary>
    private void Emit(string file, string? manifest, LineageFinding finding, string? element = null, string? package = null, string? packageId = null)
    {
        var start = finding.Range?.Start ?? new SourcePosition(0, 0);
        var end = finding.Range?.End ?? new SourcePosition(0, 0);
        string suffix = finding.JsonPath.Length == 0 ? string.Empty
            : finding.Profile is { } profile ? $" [{finding.JsonPath}; required by {profile}]"
            : finding.RequiredBy > LineageLevel.Declared ? $" [{finding.JsonPath}; required by {finding.RequiredBy.ToName()}]" : $" [{finding.JsonPath}]";
        // Values from manifests and paths are echoed in messages: no raw control character reaches the log or the reports.
        string message = SafeFiles.Escape(finding.Message + suffix + (package is null ? string.Empty : $" (from package {package})"));
        file = SafeFiles.Escape(file);
        var reported = new ReportedFinding(file, manifest, element ?? finding.JsonPath, finding, message);
        _report.Findings.Add(reported);

        var effective = _severity.Effective(finding.Id, finding.Severity);
        reported.Severity = _severity.Effective(finding.Id, finding.Severity, ignoreNoWarn: true) ?? finding.Severity;
        if (_suppressions?.Match(finding.Id, packageId is null ? manifest : null, reported.Element, packageId) is { } suppression)
        {
            reported.SuppressionJustification = suppression.Justification;
            reported.SuppressionUntil = suppression.UntilText;
            Log.LogMessage(MessageImportance.Low, $"OpenTrain: {finding.Id} suppressed by OpenTrainSuppress ({suppression.Justification}): {file}({start.Line},{start.Column}): {message}");
            return;
        }

        if (effective is null)
        {
            reported.SuppressionJustification = "Listed in the project's NoWarn.";
            return;
        }

        reported.Logged = effective;
        switch (effective)
        {
            case FindingSeverity.Error:
                _errors++;
                Log.LogError(null, finding.Id, null, finding.Rule.HelpLink, file, start.Line, start.Column, end.Line, end.Column, message);
                break;
            case FindingSeverity.Warning:
                _warnings++;
                Log.LogWarning(null, finding.Id, null, finding.Rule.HelpLink, file, start.Line, start.Column, end.Line, end.Column, message);
                break;
            case FindingSeverity.Info:
                Log.LogMessage(null, finding.Id, null, file, start.Line, start.Column, end.Line, end.Column, MessageImportance.Normal, message);
                break;
        }
    }
}
