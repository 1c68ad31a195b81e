using AudioStream.MediaService.Denoising.Onnx;
using AudioStream.MediaService.Denoising.Onnx.Graph;
using AudioStream.MediaService.Denoising.Onnx.Stateful;
using AudioStream.MediaService.Denoising.Tests.Support;

namespace AudioStream.MediaService.Denoising.Tests.Stateful;

public sealed class StatefulGraphTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    [SkippableFact]
    public void The_official_export_is_rewritten_with_its_five_gru_states_and_three_histories()
    {
        var directory = TestAssets.RequireModel();

        var enc = StatefulGraphRewriter.Rewrite(Path.Combine(directory, "enc.onnx"), DeepFilterNetSessions.EncoderOutputs);
        var erb = StatefulGraphRewriter.Rewrite(Path.Combine(directory, "erb_dec.onnx"), DeepFilterNetSessions.ErbDecoderOutputs);
        var df = StatefulGraphRewriter.Rewrite(Path.Combine(directory, "df_dec.onnx"), DeepFilterNetSessions.DfDecoderOutputs);

        Assert.Equal(["/emb_gru/GRU"], enc.States.Select(s => s.Node));
        Assert.Equal(["/emb_gru/GRU", "/emb_gru/GRU_1"], erb.States.Select(s => s.Node));
        Assert.Equal(["/df_gru/gru/GRU", "/df_gru/gru/GRU_1"], df.States.Select(s => s.Node));
        Assert.All(enc.States.Concat(erb.States).Concat(df.States), s => Assert.Equal(256, s.Hidden));
        Assert.Equal([("feat_erb", 2), ("feat_spec", 2)], enc.Histories.Select(h => (h.Input, h.Frames)));
        Assert.Empty(erb.Histories);
        Assert.Equal([("c0", 4)], df.Histories.Select(h => (h.Input, h.Frames)));
        Assert.All([enc, erb, df], g => Assert.Empty(StatefulGraphRewriter.UnknownNames(g)));
    }

    [SkippableFact]
    public void The_rewritten_graphs_have_a_symbolic_batch_and_only_the_outputs_the_live_path_reads()
    {
        var directory = TestAssets.RequireModel();

        var rewritten = StatefulGraphRewriter.Rewrite(Path.Combine(directory, "enc.onnx"), DeepFilterNetSessions.EncoderOutputs);
        var model = OnnxModel.Parse("enc.onnx", rewritten.Model);

        Assert.All(model.Inputs, i => Assert.Null(i.Dimensions[0]));
        Assert.Equal(["e0", "e1", "e2", "e3", "emb", "c0", "h1.0"], model.Outputs.Select(o => o.Name));
        Assert.DoesNotContain(model.Nodes, n => n.OpType == "Pad");
        Assert.DoesNotContain(model.Nodes, n => n.OpType == "ConstantOfShape" && n.Name.StartsWith("/emb_gru", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Frame_by_frame_calls_reproduce_the_whole_sequence_within_1e_4()
    {
        var engine = fixture.Engine;
        Assert.NotNull(engine.Stateful);
        Assert.Null(engine.StatefulUnavailableReason);

        var (mask, coefs) = StatefulModelCheck.MaxDifference(engine.Stateful, engine.Sessions!, engine.Config!);

        Assert.InRange(mask, 0f, 1e-4f);
        Assert.InRange(coefs, 0f, 1e-4f);
    }

    [SkippableFact]
    public void Frames_that_lose_the_carried_state_are_far_from_the_whole_sequence()
    {
        var engine = fixture.Engine;
        var model = engine.Stateful!;
        var inputs = engine.ModelInputs(fixture.Clip("dns-01", "noisy.wav").AsSpan(0, 48_000));
        using var batch = new StatefulBatch(model);
        using var runOptions = new Microsoft.ML.OnnxRuntime.RunOptions();
        var maxDifference = 0f;
        var carried = model.CreateState();
        for (var t = 0; t < inputs.Frames; t++)
        {
            // The control: a fresh state every frame, as the exported graphs start every call.
            batch.Begin(2, 1);
            batch.States[0] = model.CreateState();
            batch.States[1] = carried;
            inputs.CopyFrame(batch, 0, t, 1);
            inputs.CopyFrame(batch, 1, t, 1);
            model.Run(batch, runOptions);
            maxDifference = Math.Max(maxDifference, batch.Mask(0, 0).ToArray().Zip(batch.Mask(1, 0).ToArray(), (a, b) => MathF.Abs(a - b)).Max());
        }

        Assert.True(maxDifference > 0.1f, $"resetting the state changed the mask by only {maxDifference}");
    }

    [Fact]
    public void A_gru_whose_initial_state_is_not_zeros_is_refused_naming_the_node()
    {
        var model = OnnxModel.Parse("toy.onnx", ToyGraphs.GruWithInputState());

        var error = Assert.Throws<InvalidDataException>(() => StatefulGraphRewriter.Rewrite(model, ["y"]));

        Assert.Contains("GRU 'gru'", error.Message, StringComparison.Ordinal);
        Assert.Contains("initial state 'h'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Grouped_grus_started_from_split_zeros_each_get_a_carried_state()
    {
        var model = OnnxModel.Parse("toy.onnx", ToyGraphs.GroupedGrusStartedFromSplitZeros());

        var rewritten = StatefulGraphRewriter.Rewrite(model, ["y0", "y1"]);

        Assert.Equal([("gru0", "h0.0", "h1.0"), ("gru1", "h0.1", "h1.1")], rewritten.States.Select(s => (s.Node, s.Input, s.Output)));
        var graph = OnnxModel.Parse("toy.onnx", rewritten.Model);
        Assert.DoesNotContain(graph.Nodes, n => n.OpType is "Split" or "ConstantOfShape");
        Assert.Equal(["x", "h0.0", "h0.1"], graph.Inputs.Select(i => i.Name));
    }

    [Fact]
    public void A_padded_input_that_is_also_read_elsewhere_is_refused_naming_both()
    {
        var model = OnnxModel.Parse("toy.onnx", ToyGraphs.PaddedInputReadTwice());

        var error = Assert.Throws<InvalidDataException>(() => StatefulGraphRewriter.Rewrite(model, ["c", "o"]));

        Assert.Contains("'x' feeds 'pad' and also other", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_convolution_looking_back_without_a_causal_pad_is_refused_naming_it()
    {
        var model = OnnxModel.Parse("toy.onnx", ToyGraphs.ConvLookingBackWithoutPad());

        var error = Assert.Throws<InvalidDataException>(() => StatefulGraphRewriter.Rewrite(model, ["c"]));

        Assert.Contains("'conv' (Conv) looks 2 frames back", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_damaged_model_file_is_an_invalid_data_error_not_a_crash()
    {
        var bytes = File.ReadAllBytes(Path.Combine(TestAssets.RequireModel(), "enc.onnx"));
        var random = new Random(3);
        for (var trial = 0; trial < 200; trial++)
        {
            var damaged = bytes[..random.Next(1, 4096)];
            if (trial % 2 == 1)
            {
                damaged[random.Next(damaged.Length)] ^= (byte)random.Next(1, 256);
            }

            try
            {
                var model = OnnxModel.Parse("enc.onnx", damaged);
                _ = model.Nodes.Sum(n => n.Inputs.Count + n.Outputs.Count);
            }
            catch (InvalidDataException)
            {
            }
        }
    }
}
