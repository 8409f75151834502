using System.Reflection;
using Xunit.Sdk;

[assembly: OpenTrainAnalyzers.IntegrationTests.DeleteTestProjects]

namespace OpenTrainAnalyzers.IntegrationTests;

/// <summary>
/// After each test, the projects it built are deleted: each app's bin and obj hold hundreds of MB, and thirty of them
/// at once filled a CI machine's disk. The integration tests run one at a time (one collection), so everything under
/// the run's projects folder belongs to the test that just ended. OPENTRAIN_KEEP_TEST_PROJECTS=1 keeps them.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method)]
public sealed class DeleteTestProjectsAttribute : BeforeAfterTestAttribute
{
    public override void After(MethodInfo methodUnderTest) => PackageFixture.Current?.DeleteProjects();
}
