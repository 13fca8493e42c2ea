using ApiTokens.Sample;

var app = SampleApp.Build(args);
await app.RunAsync();
