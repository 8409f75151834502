using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OpenTrain.Lineage;
using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;
using OpenTrainAnalyzers.Build.Reports;

namespace OpenTrainAnalyzers.Build.Export;

/// <summary>
/// CycloneDX 1.6 JSON (an ML-BOM). Per manifest: one machine-learning-model component with its weight files, model card
/// and the gate's verdicts; one component per manifest component of <see cref="ComponentMap"/> (code as application or
/// library, data as data, documents as file), per dataset, per framework and library, so that every licence sits in a
/// licence field; each parent once, whether it is an exported model itself or only a pinned manifest. The model's
/// dependencies list them all. What CycloneDX has no field for is an opentrain: property. Mapping: docs/exports.md.
/// </summary>
internal static class CycloneDxExport
{
    private const string SpecVersionLine = "\"specVersion\": \"1.6\",\n";

    public static string Write(ExportSet set)
    {
        // The serial number is derived from the content, so it goes into the written document afterwards, on the
        // line after the spec version (where CycloneDX tools expect it).
        string body = new Writer(set).Body();
        int at = body.IndexOf(SpecVersionLine, StringComparison.Ordinal) + SpecVersionLine.Length;
        return body.Insert(at, "  \"serialNumber\": \"urn:uuid:" + ExportSet.ContentUuid(body) + "\",\n");
    }

    private sealed class Writer
    {
        private readonly ExportSet _set;
        private readonly JsonWriter _json = new();
        private readonly List<(string From, List<string> To)> _dependencies = new();
        private readonly HashSet<string> _references = new(StringComparer.Ordinal);
        private readonly HashSet<string> _writtenParents = new(StringComparer.Ordinal);

        // A parent is written once: keyed by who its manifest describes (an exported model's key is its own).
        private readonly Dictionary<string, string> _parents = new(StringComparer.Ordinal);

        public Writer(ExportSet set)
        {
            _set = set;
            foreach (var model in set.Models)
            {
                _references.Add(ModelReference(model)); // taken before any parent is met, so a parent that is a model is never written twice
                if (ExportedModel.Identity(model.Document) is { } identity && !_parents.ContainsKey(identity))
                {
                    _parents[identity] = ModelReference(model);
                }
            }
        }

        public string Body()
        {
            _json.BeginObject().Property("bomFormat", "CycloneDX").Property("specVersion", "1.6").Property("version", 1);
            _json.Name("metadata").BeginObject();
            if (_set.Timestamp is { } timestamp)
            {
                _json.Property("timestamp", ExportSet.Iso(timestamp));
            }

            _json.Name("tools").BeginObject().Name("components").BeginArray().BeginObject()
                .Property("type", "application").Property("name", LineageReport.ToolName);
            if (_set.ToolVersion is not null)
            {
                _json.Property("version", _set.ToolVersion);
            }

            _json.EndObject().EndArray().EndObject();
            _json.Name("component").BeginObject().Property("type", "application").Property("bom-ref", "project").Property("name", _set.ProjectName);
            if (_set.ProjectVersion is not null)
            {
                _json.Property("version", _set.ProjectVersion);
            }

            _json.EndObject();
            Properties(new[] { ("opentrain:level:required", _set.RequiredLevel.ToName()) });
            _json.EndObject();

            _json.Name("components").BeginArray();
            foreach (var model in _set.Models)
            {
                Model(model);
            }

            _json.EndArray();

            _json.Name("dependencies").BeginArray();
            foreach (var (from, to) in _dependencies)
            {
                _json.BeginObject().Property("ref", from).Name("dependsOn").BeginArray();
                foreach (var reference in to.Distinct())
                {
                    _json.String(reference);
                }

                _json.EndArray().EndObject();
            }

            _json.EndArray();
            return _json.EndObject().ToString();
        }

        private static string ModelReference(ExportedModel model) => "model:" + model.RelativePath;

        private void Model(ExportedModel model)
        {
            var document = model.Document;
            string reference = ModelReference(model);
            var mapped = ComponentMap.Of(document);
            var uses = new List<string>();
            var parentEdges = model.Parents.Select((p, i) => (Parent: p, Reference: ParentReference(p, reference, i))).ToList();

            // Taken once, so that two datasets of one id (a training and an evaluation one) still get distinct references.
            var datasets = model.Datasets().Select(d => (d.Dataset, d.Training, Reference: Unique(DataReference(model, d.Dataset)))).ToList();
            ModelComponent(model, reference, mapped, parentEdges, datasets.Select(d => d.Reference).ToList());

            foreach (var component in mapped)
            {
                string componentReference = Unique("component:" + model.RelativePath + "#" + component.Row.Key);
                Component(model, component, componentReference);

                // The inference code uses the model; the model depends on everything else that made it.
                if (component.Row.SpdxRelationship == "dependsOn" && component.Row.SpdxFromComponent)
                {
                    _dependencies.Add((componentReference, new List<string> { reference }));
                }
                else
                {
                    uses.Add(componentReference);
                }
            }

            foreach (var (dataset, training, dataReference) in datasets)
            {
                Data(dataReference, dataset.Name.AsString() ?? ExportedModel.IdOf(dataset) ?? "dataset", dataset, dataset.Sources.Nodes, dataset.Collection, dataset.Cleaning,
                    dataset.Labeling.Node, ComponentMap.LocationsOf(dataset), DatasetProperties(dataset, training));
                uses.Add(dataReference);
            }

            foreach (var (library, framework) in ComponentMap.Libraries(document))
            {
                uses.Add(Library(model, library, framework));
            }

            foreach (var (parent, parentReference) in parentEdges)
            {
                Parent(parent, parentReference);
                uses.Add(parentReference);
            }

            _dependencies.Add((reference, uses));
        }

        private void ModelComponent(ExportedModel model, string reference, List<MappedComponent> mapped, List<(ResolvedParent Parent, string Reference)> parents, List<string> datasetReferences)
        {
            var document = model.Document;
            var identity = document.Model.Node;
            _json.BeginObject().Property("type", "machine-learning-model").Property("bom-ref", reference);
            Supplier(identity?.Producer.Node);
            _json.Property("name", model.Name);
            if (model.Version is { } version)
            {
                _json.Property("version", version);
            }

            if (identity?.Description.AsString() is { } description)
            {
                _json.Property("description", description);
            }

            var files = document.Weights.Node?.Files.Nodes ?? Array.Empty<WeightFile>();
            var digested = files.Where(f => f.DeclaredSha256 is { } sha && Digests.IsSha256(sha)).ToList();
            if (digested.Count == 1)
            {
                Hashes(digested[0].DeclaredSha256!);
            }

            Licenses(identity?.License.AsString(), identity?.LicenseUrl.AsString());
            var identifiers = ExportSet.Identifiers(identity?.Identifiers.Value);
            if (ExportSet.PackageUrl(identity?.Identifiers.Value) is { } purl)
            {
                _json.Property("purl", purl);
            }

            // The model card's own locations and attestations stay references of the model: consumers look there.
            var references = new List<(string Type, string Url, string? Revision, string? Sha256, string What)>();
            references.AddRange(mapped.Where(m => m.Row.Key == "modelCard").SelectMany(m => m.Locations).SelectMany(l => Reference("model-card", l.Location, l.What)));
            references.AddRange(identifiers.Where(i => ExportSet.IsWebUrl(i.Value)).Select(i => ("website", i.Value, (string?)null, (string?)null, "identifier " + i.Name)));
            references.AddRange(LicenseReference(identity?.License.AsString(), identity?.LicenseUrl.AsString()));
            foreach (var attestation in document.Attestations.Nodes)
            {
                if (attestation.Location.Node is { } location)
                {
                    references.AddRange(Reference("attestation", location, attestation.Type.AsString() ?? "attestation"));
                }
            }

            ExternalReferences(references);
            ModelCard(model, mapped, datasetReferences);
            if (parents.Count > 0)
            {
                // Each parent is one component of this BOM (listed in dependencies), so the pedigree names it rather than repeating it.
                _json.Name("pedigree").BeginObject().Property("notes", string.Join("; ", parents.Select(p =>
                    p.Parent.Entry.IsFrozenComponent
                        ? $"contains {ParentName(p.Parent)} unchanged as a frozen component (component {p.Reference})"
                        : $"{p.Parent.Entry.Relation.AsString() ?? "derived"} from {ParentName(p.Parent)} (component {p.Reference})"))).EndObject();
            }

            if (files.Count > 0)
            {
                _json.Name("components").BeginArray();
                foreach (var file in files.Where(f => f.RelativePath is not null))
                {
                    string fileReference = Unique(reference + "#" + file.RelativePath);
                    _json.BeginObject().Property("type", "file").Property("bom-ref", fileReference).Property("name", file.RelativePath);
                    if (file.DeclaredSha256 is { } sha && Digests.IsSha256(sha))
                    {
                        Hashes(sha);
                    }

                    var fileProperties = new List<(string, string)>();
                    if (file.DeclaredSize is { } size)
                    {
                        fileProperties.Add(("opentrain:size", size.ToString(CultureInfo.InvariantCulture)));
                    }

                    Add(fileProperties, "opentrain:role", file.Role);
                    Add(fileProperties, "opentrain:mediaType", file.MediaType);
                    Properties(fileProperties);
                    _json.EndObject();
                }

                _json.EndArray();
            }

            var properties = new List<(string, string)>
            {
                ("opentrain:manifest", model.RelativePath),
                ("opentrain:level:own", model.OwnLevel.ToName()),
                ("opentrain:level:effective", model.EffectiveLevel.ToName()),
                ("opentrain:weights:verified", model.WeightsVerified ? "true" : "false"),
            };
            if (model.Signature is { } signature)
            {
                // An OMS bundle is not a JSF signature over this BOM: what the gate verified, and who vouches, as properties.
                properties.Add(("opentrain:signature:file", signature.File));
                properties.Add(("opentrain:signature:status", signature.Status));
                properties.Add(("opentrain:signature:method", signature.Method ?? "unknown"));
                properties.Add(("opentrain:signature:signer", signature.IsVerified ? signature.Signer ?? "unknown" : "not verified"));
                properties.Add(("opentrain:signature:lineageSigned", signature.IsVerified && signature.LineageSigned ? "true" : "false"));
            }
            Add(properties, "opentrain:releaseDate", identity?.ReleaseDate ?? default);
            Add(properties, "opentrain:derivation", document.Lineage.Node?.Derivation ?? default);
            Add(properties, "opentrain:weights:format", document.Weights.Node?.Format ?? default);
            Add(properties, "opentrain:weights:precision", document.Weights.Node?.Precision ?? default);
            Add(properties, "opentrain:weights:rootDigest", document.Weights.Node?.RootDigest.Node?.Sha256 ?? default);
            if (document.Weights.Node?.Conversion.Value is { Kind: JsonValueKind.Object } conversion)
            {
                properties.Add(("opentrain:weights:conversion", ExportSet.Compact(conversion)));
            }

            foreach (var (name, value) in identifiers.Where(i => !ExportSet.IsWebUrl(i.Value)))
            {
                properties.Add(("opentrain:identifier:" + name, value));
            }

            if (model.PackageUrl is { } package)
            {
                properties.Add(("opentrain:package", package)); // the NuGet package that brought the model and its lineage
            }

            foreach (var component in mapped)
            {
                Add(properties, "opentrain:availability:" + component.Row.Key, component.Node.Availability);
            }

            foreach (var (parent, parentReference) in parents)
            {
                // The edge carries the pin: which manifest, by SHA-256, this model was checked against.
                var pin = parent.Entry.Manifest.Node;
                properties.Add(("opentrain:parent", $"{parentReference}; relation {parent.Entry.Relation.AsString() ?? "not stated"}; manifest {string.Join(" ", new[] { pin?.Path.AsString(), pin?.Url.AsString() }.Where(m => m is not null).DefaultIfEmpty("not given"))}"
                    + (pin?.Sha256.AsString() is { } sha ? " sha256 " + sha : string.Empty) + "; " + (parent.Manifest is null ? "not verified" : "verified")));
            }

            properties.AddRange(Policy.LicensePolicyGate.ExportProperties(model.LicenseDecisions));

            foreach (var suppression in model.Suppressions)
            {
                properties.Add(("opentrain:suppression", $"{suppression.Id} at {suppression.Element ?? "$"}: {suppression.Justification} (until {suppression.UntilText ?? "no date"})"));
            }

            Properties(properties);
            _json.EndObject();
        }

        private void ModelCard(ExportedModel model, List<MappedComponent> mapped, List<string> datasetReferences)
        {
            var document = model.Document;
            var identity = document.Model.Node;
            var training = document.Training.Node;
            _json.Name("modelCard").BeginObject();

            _json.Name("modelParameters").BeginObject();
            if (identity?.Approach.AsString() is { } approach)
            {
                _json.Name("approach").BeginObject().Property("type", approach).EndObject();
            }

            if (identity?.Task.AsString() is { } task)
            {
                _json.Property("task", task);
            }

            var architecture = training?.Configuration.Node?.Architecture.Node;
            if (architecture?.Family.AsString() is { } family)
            {
                _json.Property("architectureFamily", family);
            }

            if (architecture?.Name.AsString() is { } architectureName)
            {
                _json.Property("modelArchitecture", architectureName);
            }

            datasetReferences = datasetReferences.ToList();
            if (training?.Data.Node is { } data && data.Datasets.Nodes.Count == 0 && data.Availability.AsString() != "not-applicable")
            {
                // Training data described only as an aggregate is the dataset the model was trained on.
                datasetReferences.Insert(0, "component:" + model.RelativePath + "#data");
            }

            if (datasetReferences.Count > 0)
            {
                _json.Name("datasets").BeginArray();
                foreach (var reference in datasetReferences)
                {
                    _json.BeginObject().Property("ref", reference).EndObject();
                }

                _json.EndArray();
            }

            InputsOutputs("inputs", identity?.Inputs);
            InputsOutputs("outputs", identity?.Outputs);
            _json.EndObject();

            var metrics = (training?.Evaluation.Node?.Metrics.Nodes ?? Array.Empty<Metric>()).Where(m => m.Value.Value?.Kind == JsonValueKind.Number).ToList();
            if (metrics.Count > 0)
            {
                _json.Name("quantitativeAnalysis").BeginObject().Name("performanceMetrics").BeginArray();
                foreach (var metric in metrics)
                {
                    _json.BeginObject();
                    if (metric.MetricName.AsString() is { } name)
                    {
                        _json.Property("type", name);
                    }

                    _json.Property("value", metric.Value.Text);

                    // CycloneDX has no dataset or task on a metric: the slice says what it was measured on.
                    string slice = string.Join(" ", new[] { metric.Dataset.AsString(), metric.Split.AsString(), metric.Slice.AsString() }.Where(s => s is not null));
                    if (metric.Task.AsString() is { } metricTask)
                    {
                        slice = (slice + " (task: " + metricTask + ")").Trim();
                    }

                    if (metric.Date.AsString() is { } date)
                    {
                        slice = (slice + " (measured " + date + ")").Trim();
                    }

                    if (slice.Length > 0)
                    {
                        _json.Property("slice", slice);
                    }

                    if (metric.ConfidenceInterval.Node is { } interval && interval.Lower.Value?.Kind == JsonValueKind.Number && interval.Upper.Value?.Kind == JsonValueKind.Number)
                    {
                        _json.Name("confidenceInterval").BeginObject().Property("lowerBound", interval.Lower.Text).Property("upperBound", interval.Upper.Text).EndObject();
                    }

                    _json.EndObject();
                }

                _json.EndArray().EndObject();
            }

            var useCases = identity?.IntendedUse.AsString();
            var limitations = identity?.Limitations.AsString();
            var compute = training?.Code.Node?.Compute.Value;
            bool energy = compute is { Kind: JsonValueKind.Object } && Member(compute, "energyKwh") is { Kind: JsonValueKind.Number };
            if (useCases is not null || limitations is not null || energy)
            {
                _json.Name("considerations").BeginObject();
                if (useCases is not null)
                {
                    _json.Name("useCases").BeginArray().String(useCases).EndArray();
                }

                if (limitations is not null)
                {
                    _json.Name("technicalLimitations").BeginArray().String(limitations).EndArray();
                }

                if (energy)
                {
                    EnvironmentalConsiderations(document, compute!);
                }

                _json.EndObject();
            }

            var properties = new List<(string, string)>();
            var hyperparameters = training?.Configuration.Node?.Hyperparameters.Node;
            if (hyperparameters?.Values.Value is { Kind: JsonValueKind.Object } values)
            {
                properties.AddRange(values.Properties.Select(p => ("cdx:ai-ml:model:hyperparameter:" + p.Name, ExportSet.Compact(p.Value))));
            }

            if (hyperparameters?.Seed.Value is { } seed && seed.Kind != JsonValueKind.Null)
            {
                properties.Add(("opentrain:seed", ExportSet.Compact(seed)));
            }

            if (architecture?.ParameterCount.Value is { Kind: JsonValueKind.Number } architectureCount)
            {
                properties.Add(("opentrain:parameterCount", architectureCount.Text!));
            }
            else if (document.Weights.Node?.ParameterCount.Value is { Kind: JsonValueKind.Number } weightsCount)
            {
                properties.Add(("opentrain:parameterCount", weightsCount.Text!));
            }

            foreach (var language in (identity?.Languages.Items ?? Array.Empty<JsonValue>()).Select(l => l.AsString()).Where(l => l is not null))
            {
                properties.Add(("opentrain:language", language!));
            }

            if (compute is { Kind: JsonValueKind.Object })
            {
                foreach (var member in compute.Properties.Where(p => p.Name != "energyKwh" && p.Name != "co2eqTonnes"))
                {
                    properties.Add(("opentrain:compute:" + member.Name, ExportSet.Compact(member.Value)));
                }
            }

            foreach (var component in mapped.Where(m => m.Row.Kind == ContentKind.Document))
            {
                // The documents of the model are components of their own; the card names them.
                properties.Add(("opentrain:document:" + component.Row.Key, "component:" + model.RelativePath + "#" + component.Row.Key));
            }

            Properties(properties);
            _json.EndObject();
        }

        /// <summary>The training energy (kWh) as CycloneDX 1.6 energy consumption; the provider is not stated in a manifest.</summary>
        private void EnvironmentalConsiderations(LineageDocument document, JsonValue compute)
        {
            string kwh = Member(compute, "energyKwh")!.Text!;
            string activity = document.Lineage.Node?.Derivation.AsString() is "finetune" or "adapter" ? "fine-tuning" : "training";
            _json.Name("environmentalConsiderations").BeginObject().Name("energyConsumptions").BeginArray().BeginObject()
                .Property("activity", activity)
                .Name("energyProviders").BeginArray().BeginObject()
                .Property("description", "Not stated in the lineage manifest" + (Member(compute, "region")?.AsString() is { } region ? "; region " + region : string.Empty))
                .Name("organization").BeginObject().EndObject()
                .Property("energySource", "unknown")
                .Name("energyProvided").BeginObject().Name("value").RawNumber(kwh).Property("unit", "kWh").EndObject()
                .EndObject().EndArray()
                .Name("activityEnergyCost").BeginObject().Name("value").RawNumber(kwh).Property("unit", "kWh").EndObject();
            if (Member(compute, "co2eqTonnes") is { Kind: JsonValueKind.Number } co2)
            {
                _json.Name("co2CostEquivalent").BeginObject().Name("value").RawNumber(co2.Text!).Property("unit", "tCO2eq").EndObject();
            }

            _json.EndObject().EndArray().EndObject();
        }

        /// <summary>One manifest component as a component that carries its licence, locations and disclosure.</summary>
        private void Component(ExportedModel model, MappedComponent component, string reference)
        {
            var node = component.Node;
            var row = component.Row;
            string name = model.Name + " " + row.Title;
            var properties = DisclosureProperties(node);
            switch (node)
            {
                case TrainingData data:
                    Data(reference, name, data, data.Sources.Nodes, data.Collection, data.Cleaning, data.Labeling.Node, component.Locations.ToList(), properties);
                    return;
                case Processing processing:
                    Add(properties, "opentrain:processing:method", processing.Method);
                    foreach (var step in processing.Steps.Nodes)
                    {
                        properties.Add(("opentrain:processing:step", string.Join("; ", new[] { step.Name.AsString(), step.Description.AsString(), step.Tool.AsString() is { } tool ? "tool " + tool : null }.Where(s => s is not null))));
                    }

                    AddAll(properties, "opentrain:processing:input", processing.Inputs);
                    AddAll(properties, "opentrain:processing:output", processing.Outputs);
                    break;
                case Architecture architecture:
                    Add(properties, "opentrain:architecture:family", architecture.Family);
                    Add(properties, "opentrain:architecture:name", architecture.Name);
                    Add(properties, "opentrain:parameterCount", architecture.ParameterCount);
                    break;
                case Hyperparameters hyperparameters:
                    Add(properties, "opentrain:selectionMethod", hyperparameters.SelectionMethod);
                    break;
                case TrainingCode code:
                    Add(properties, "opentrain:entryPoint", code.EntryPoint);
                    foreach (var stage in code.Stages.Nodes)
                    {
                        properties.Add(("opentrain:stage", string.Join("; ", new[] { stage.Name.AsString(), stage.Objective.AsString(),
                            stage.Datasets.Items.Count > 0 ? "datasets " + string.Join(", ", stage.Datasets.Items.Select(i => i.AsString())) : null }.Where(s => s is not null))));
                    }

                    break;
                case Document card:
                    if (card.CoversData.IsTrue)
                    {
                        properties.Add(("opentrain:coversData", "true"));
                    }

                    break;
            }

            _json.BeginObject().Property("type", row.CycloneDxType).Property("bom-ref", reference).Property("name", name);
            if (node.Description.AsString() is { } description)
            {
                _json.Property("description", description);
            }

            Licenses(node.License.AsString(), node.LicenseUrl.AsString());
            var references = component.Locations.SelectMany(l => Reference(l.Documents ? "documentation" : row.CycloneDxReference, l.Location, l.What)).ToList();
            references.AddRange(LicenseReference(node.License.AsString(), node.LicenseUrl.AsString()));
            ExternalReferences(references);
            if (row.IsData)
            {
                _json.Name("data").BeginArray().BeginObject().Property("type", row.Key == "hyperparameters" ? "configuration" : "other").Property("name", name).EndObject().EndArray();
            }

            Properties(properties);
            _json.EndObject();
        }

        /// <summary>A dataset, or training data described as an aggregate: a data component whose data[] lists it and its sources.</summary>
        private void Data(string reference, string name, Disclosure node, IReadOnlyList<Source> sources, ManifestField collection, ManifestField cleaning, Labeling? labeling,
            List<NamedLocation> locations, List<(string, string)> properties)
        {
            _json.BeginObject().Property("type", "data").Property("bom-ref", reference).Property("name", name);
            if ((node as Dataset)?.Version.AsString() is { } version)
            {
                _json.Property("version", version);
            }

            if (node.Description.AsString() is { } description)
            {
                _json.Property("description", description);
            }

            Licenses(node.License.AsString(), node.LicenseUrl.AsString());
            var references = locations.SelectMany(l => Reference(l.Documents ? "documentation" : "distribution", l.Location, l.What)).ToList();
            references.AddRange(LicenseReference(node.License.AsString(), node.LicenseUrl.AsString()));
            ExternalReferences(references);

            // data[0] is the data itself (where it is, what it holds); each further entry is one source it was taken from.
            _json.Name("data").BeginArray().BeginObject().Property("type", "dataset").Property("name", name);
            if (ExportSet.UrlLocations(node).FirstOrDefault() is { } first)
            {
                _json.Name("contents").BeginObject().Property("url", first.Url.AsString()).EndObject();
            }

            if (collection.AsString() is { } collected)
            {
                _json.Property("description", collected);
            }

            if (node is Dataset { } personal && personal.PersonalData.AsString() == "yes")
            {
                _json.Name("sensitiveData").BeginArray().String(personal.PersonalDataHandling.AsString() ?? "personal data").EndArray();
            }

            _json.EndObject();
            foreach (var source in sources)
            {
                _json.BeginObject().Property("type", "dataset").Property("name", source.Name.AsString() ?? "source");
                if (ExportSet.IsWebUrl(source.Url.AsString()))
                {
                    _json.Name("contents").BeginObject().Property("url", source.Url.AsString()).EndObject();
                }

                string? about = string.Join("; ", new[] { source.Description.AsString(), source.Retrieved.AsString() is { } retrieved ? "retrieved " + retrieved : null }.Where(s => s is not null));
                if (about.Length > 0)
                {
                    _json.Property("description", about);
                }

                _json.EndObject();
            }

            _json.EndArray();

            // componentData has no licence: a source with one is also a data component of its own, inside this one.
            var licensed = sources.Select((s, i) => (Source: s, Index: i)).Where(s => s.Source.License.AsString() is not null).ToList();
            if (licensed.Count > 0)
            {
                _json.Name("components").BeginArray();
                foreach (var (source, index) in licensed)
                {
                    _json.BeginObject().Property("type", "data").Property("bom-ref", Unique(reference + "/source/" + index.ToString(CultureInfo.InvariantCulture)))
                        .Property("name", source.Name.AsString() ?? "source");
                    Licenses(source.License.AsString(), null);
                    if (ExportSet.IsWebUrl(source.Url.AsString()))
                    {
                        _json.Name("externalReferences").BeginArray().BeginObject().Property("url", source.Url.AsString()).Property("type", "distribution").Property("comment", "source").EndObject().EndArray();
                    }

                    _json.EndObject();
                }

                _json.EndArray();
            }

            Add(properties, "opentrain:collection", collection);
            Add(properties, "opentrain:cleaning", cleaning);
            if (labeling is not null)
            {
                Add(properties, "opentrain:labeling:method", labeling.Method);
                Add(properties, "opentrain:labeling:criteria", labeling.Criteria);
                Add(properties, "opentrain:labeling:workforce", labeling.Workforce);
                if (labeling.AnnotationsPerItem.Value is { Kind: JsonValueKind.Number } perItem)
                {
                    properties.Add(("opentrain:labeling:annotationsPerItem", perItem.Text!));
                }
            }

            Properties(properties);
            _json.EndObject();
        }

        private static List<(string, string)> DatasetProperties(Dataset dataset, bool training)
        {
            var properties = new List<(string, string)> { ("opentrain:dataset:use", training ? "training" : "evaluation") };
            properties.AddRange(DisclosureProperties(dataset));
            Add(properties, "opentrain:role", dataset.Role);
            Add(properties, "opentrain:augmentation", dataset.Augmentation);
            Add(properties, "opentrain:knownBiases", dataset.KnownBiases);
            Add(properties, "opentrain:personalData", dataset.PersonalData);
            Add(properties, "opentrain:personalDataHandling", dataset.PersonalDataHandling);
            AddAll(properties, "opentrain:datasetType", dataset.DatasetType);
            if (dataset.Size.Node is { } size)
            {
                foreach (var (unit, field) in new[] { ("bytes", size.Bytes), ("records", size.Records), ("tokens", size.Tokens) })
                {
                    if (field.Value is { Kind: JsonValueKind.Number } number)
                    {
                        properties.Add(("opentrain:size:" + unit, number.Text!));
                    }
                }
            }

            return properties;
        }

        /// <summary>What CycloneDX has no field for, on every component: where it is in the manifest, how available it is and why.</summary>
        private static List<(string, string)> DisclosureProperties(Disclosure node)
        {
            var properties = new List<(string, string)> { ("opentrain:element", node.JsonPath) };
            Add(properties, "opentrain:availability", node.Availability);
            Add(properties, "opentrain:justification", node.Justification);
            Add(properties, "opentrain:accessConditions", node.AccessConditions);
            return properties;
        }

        private string Library(ExportedModel model, Library library, bool framework)
        {
            string name = library.Name.AsString() ?? "library";
            string reference = Unique("library:" + model.RelativePath + "#" + name + (library.Version.AsString() is { } v ? "@" + v : string.Empty));
            _json.BeginObject().Property("type", framework ? "framework" : "library").Property("bom-ref", reference).Property("name", name);
            if (library.Version.AsString() is { } version)
            {
                _json.Property("version", version);
            }

            Licenses(library.License.AsString(), null);
            if (library.Purl.AsString() is { } purl && purl.StartsWith("pkg:", StringComparison.Ordinal))
            {
                _json.Property("purl", purl);
            }

            Properties(new[] { ("opentrain:use", framework ? "training framework" : "supporting library"), ("opentrain:element", library.JsonPath) });
            _json.EndObject();
            return reference;
        }

        private string ParentReference(ResolvedParent parent, string child, int index)
        {
            string key = ExportedModel.Identity(parent.Manifest?.Document)
                ?? "pin:" + (parent.Entry.Manifest.Node?.Sha256.AsString() ?? child + "/" + index.ToString(CultureInfo.InvariantCulture));
            if (!_parents.TryGetValue(key, out var reference))
            {
                reference = Unique("parent:" + (parent.Entry.Manifest.Node?.Sha256.AsString() ?? ParentName(parent)));
                _parents[key] = reference;
            }

            return reference;
        }

        /// <summary>A parent that is not an exported model: written the first time it is met, with its own parents.</summary>
        private void Parent(ResolvedParent parent, string reference)
        {
            if (reference.StartsWith("model:", StringComparison.Ordinal) || !_writtenParents.Add(reference))
            {
                return; // an exported model, or a parent already written
            }

            var parentDocument = parent.Manifest?.Document;
            var grandparents = parent.Parents.Select((p, i) => (Parent: p, Reference: ParentReference(p, reference, i))).ToList();
            _json.BeginObject().Property("type", "machine-learning-model").Property("bom-ref", reference).Property("name", ParentName(parent));
            if ((parent.Entry.Version.AsString() ?? parentDocument?.Model.Node?.Version.AsString()) is { } version)
            {
                _json.Property("version", version);
            }

            var parentFiles = (parentDocument?.Weights.Node?.Files.Nodes ?? Array.Empty<WeightFile>()).Where(f => f.DeclaredSha256 is { } sha && Digests.IsSha256(sha)).ToList();
            if (parentFiles.Count == 1)
            {
                Hashes(parentFiles[0].DeclaredSha256!);
            }

            Licenses(parent.Entry.License.AsString() ?? parentDocument?.Model.Node?.License.AsString(), parentDocument?.Model.Node?.LicenseUrl.AsString());
            if (ExportSet.PackageUrl(parent.Entry.Identifiers.Value) is { } purl)
            {
                _json.Property("purl", purl);
            }

            // The parent's manifest, pinned by the SHA-256 the gate checked: a BOM reference with that hash.
            var pin = parent.Entry.Manifest.Node;
            var references = new List<(string, string, string?, string?, string)>();
            if (pin?.Path.AsString() is { } path)
            {
                references.Add(("bom", path, null, pin.Sha256.AsString() is { } sha && Digests.IsSha256(sha) ? sha : null, "lineage manifest of the parent (path relative to the child's manifest)"));
            }

            if (ExportSet.IsWebUrl(pin?.Url.AsString()))
            {
                references.Add(("bom", pin!.Url.AsString()!, null, null, "published lineage manifest of the parent"));
            }

            var parentIdentifiers = ExportSet.Identifiers(parent.Entry.Identifiers.Value);
            foreach (var (name, value) in parentIdentifiers.Where(i => ExportSet.IsWebUrl(i.Value)))
            {
                references.Add(("website", value, null, null, "identifier " + name));
            }

            ExternalReferences(references);
            var properties = new List<(string, string)> { ("opentrain:level:effective", parent.EffectiveLevel.ToName()) };
            Add(properties, "opentrain:manifest:sha256", pin?.Sha256 ?? default);
            Add(properties, "opentrain:manifest:assertedBy", pin?.AssertedBy ?? default);
            Add(properties, "opentrain:weightsRootDigest", parent.Entry.WeightsRootDigest);
            Add(properties, "opentrain:claimedLevel", parent.Entry.ClaimedLevel);
            properties.Add(("opentrain:manifest:verified", parent.Manifest is null ? "false" : "true"));
            foreach (var (name, value) in parentIdentifiers.Where(i => !ExportSet.IsWebUrl(i.Value)))
            {
                properties.Add(("opentrain:identifier:" + name, value)); // the identity it was found by, as the child wrote it
            }

            if (parent.Origin is { } origin)
            {
                // Found by identity in a lineage source (docs/sharing-lineage.md): where the reviewed manifest came from.
                properties.Add(("opentrain:manifest:source", origin));
            }
            foreach (var (grandparent, grandparentReference) in grandparents)
            {
                properties.Add(("opentrain:parent", $"{grandparentReference}; relation {grandparent.Entry.Relation.AsString() ?? "not stated"}"
                    + (grandparent.Entry.Manifest.Node?.Sha256.AsString() is { } sha ? "; manifest sha256 " + sha : string.Empty)));
            }

            Properties(properties);
            _json.EndObject();
            if (grandparents.Count > 0)
            {
                _dependencies.Add((reference, grandparents.Select(g => g.Reference).ToList()));
            }

            foreach (var (grandparent, grandparentReference) in grandparents)
            {
                Parent(grandparent, grandparentReference);
            }
        }

        private static string ParentName(ResolvedParent parent) =>
            parent.Entry.Name.AsString() ?? parent.Manifest?.Document?.Model.Node?.Name.AsString() ?? "parent";

        private string Unique(string reference)
        {
            string candidate = reference;
            for (int i = 2; _references.Contains(candidate); i++)
            {
                candidate = reference + "~" + i.ToString(CultureInfo.InvariantCulture);
            }

            _references.Add(candidate);
            return candidate;
        }

        /// <summary>A location as an external reference: a URL, or a path relative to the manifest (CycloneDX takes IRI references).</summary>
        private static IEnumerable<(string Type, string Url, string? Revision, string? Sha256, string What)> Reference(string type, Location location, string what)
        {
            string? url = ExportSet.IsWebUrl(location.Url.AsString()) ? location.Url.AsString() : location.Path.AsString();
            if (url is null)
            {
                yield break;
            }

            string? sha = location.Digest.Node?.Sha256.AsString() is { } digest && Digests.IsSha256(digest) ? digest : null;
            string comment = location.Description.AsString() is { } description ? what + ": " + description : what;
            yield return (type, url, location.Revision.AsString(), sha, comment);
        }

        /// <summary>The licence text's URL beside an SPDX expression, which has no URL of its own in CycloneDX.</summary>
        private static IEnumerable<(string, string, string?, string?, string)> LicenseReference(string? license, string? url)
        {
            if (license is not null && ExportSet.IsWebUrl(url) && LicenseExpressions.Classify(license) == LicenseForm.Expression)
            {
                yield return ("license", url!, null, null, "licence text");
            }
        }

        private void ExternalReferences(List<(string Type, string Url, string? Revision, string? Sha256, string What)> references)
        {
            if (references.Count == 0)
            {
                return;
            }

            _json.Name("externalReferences").BeginArray();
            foreach (var (type, url, revision, sha, what) in references)
            {
                _json.BeginObject().Property("url", url).Property("type", type);
                _json.Property("comment", revision is null ? what : $"{what}, revision {revision}");
                if (sha is not null)
                {
                    Hashes(sha);
                }

                _json.EndObject();
            }

            _json.EndArray();
        }

        private void Supplier(Party? producer)
        {
            if (producer?.Name.AsString() is not { } name)
            {
                return;
            }

            _json.Name("supplier").BeginObject().Property("name", name);
            if (ExportSet.IsWebUrl(producer.Url.AsString()))
            {
                _json.Name("url").BeginArray().String(producer.Url.AsString()).EndArray();
            }

            if (producer.Email.AsString() is { } email)
            {
                _json.Name("contact").BeginArray().BeginObject().Property("email", email).EndObject().EndArray();
            }

            _json.EndObject();
        }

        /// <summary>An SPDX expression as such; a licence outside SPDX by name (and URL); NOASSERTION and NONE leave it out.</summary>
        private void Licenses(string? license, string? url)
        {
            if (license is null)
            {
                return;
            }

            switch (LicenseExpressions.Classify(license))
            {
                case LicenseForm.Expression:
                    _json.Name("licenses").BeginArray().BeginObject().Property("expression", license.Trim()).EndObject().EndArray();
                    break;
                case LicenseForm.Named:
                    _json.Name("licenses").BeginArray().BeginObject().Name("license").BeginObject().Property("name", license.Trim());
                    if (ExportSet.IsWebUrl(url))
                    {
                        _json.Property("url", url);
                    }

                    _json.EndObject().EndObject().EndArray();
                    break;
            }
        }

        private void InputsOutputs(string name, ManifestField? field)
        {
            var formats = (field?.Items ?? Array.Empty<JsonValue>()).Select(i => i.AsString()).Where(s => s is not null).ToList();
            if (formats.Count == 0)
            {
                return;
            }

            _json.Name(name).BeginArray();
            foreach (var format in formats)
            {
                _json.BeginObject().Property("format", format).EndObject();
            }

            _json.EndArray();
        }

        private void Hashes(string sha256) =>
            _json.Name("hashes").BeginArray().BeginObject().Property("alg", "SHA-256").Property("content", sha256).EndObject().EndArray();

        private static string DataReference(ExportedModel model, Dataset dataset) =>
            "dataset:" + model.RelativePath + "#" + (ExportedModel.IdOf(dataset) ?? dataset.JsonPath);

        private static JsonValue? Member(JsonValue value, string name) => value.Properties.FirstOrDefault(p => p.Name == name)?.Value;

        private static void Add(List<(string, string)> properties, string name, ManifestField field)
        {
            if (field.Owner is null || field.Value is null)
            {
                return;
            }

            string? text = field.Value.Kind == JsonValueKind.Number ? field.Value.Text : field.AsString();
            if (text is not null && text.Trim().Length > 0)
            {
                properties.Add((name, text));
            }
        }

        private static void AddAll(List<(string, string)> properties, string name, ManifestField field)
        {
            foreach (var item in field.Items.Select(i => i.AsString()).Where(i => i is not null))
            {
                properties.Add((name, item!));
            }
        }

        private void Properties(IReadOnlyCollection<(string Name, string Value)> properties)
        {
            if (properties.Count == 0)
            {
                return;
            }

            _json.Name("properties").BeginArray();
            foreach (var (name, value) in properties)
            {
                _json.BeginObject().Property("name", name).Property("value", value).EndObject();
            }

            _json.EndArray();
        }
    }
}
