// The desktop runner (@vscode/test-electron) downloads VS Code from
// update.code.visualstudio.com; machines of this project's kind cannot reach
// it, so the tier drives code-server (the same workbench) instead. The test
// says so in the output rather than disappearing.

describe('editor: desktop VS Code (@vscode/test-electron)', function () {
  it('runs the extension in desktop VS Code', function () {
    console.log('      skipped: @vscode/test-electron is not wired; it downloads VS Code, which this machine cannot (code-server tests cover the workbench)');
    this.skip();
  });
});
