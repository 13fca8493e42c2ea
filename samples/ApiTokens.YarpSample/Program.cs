var app = ApiTokens.YarpSample.YarpSampleApp.Build(args);
app.Run();
