using Mono.Cecil;
using Mono.Cecil.Cil;

namespace CodeTracer.Shell.Instrumentation;

/// <summary>
/// Splices code into a method body: inserted code takes the place of the instruction it
/// precedes, so branches, switch targets, handler bounds, sequence points and scope
/// bounds that pointed at the instruction point at the new code.
/// </summary>
internal static class IlSplicer
{
    internal static void InsertBefore(MethodBody body, DebugAnchors anchors, Instruction target, IReadOnlyList<Instruction> code)
    {
        var index = body.Instructions.IndexOf(target);
        for (var i = 0; i < code.Count; i++) body.Instructions.Insert(index + i, code[i]);
        Redirect(body, target, code[0]);
        anchors.MovePoints(target, code[0]);
        anchors.MoveScopes(target, code[0]);
    }

    private static void Redirect(MethodBody body, Instruction from, Instruction to)
    {
        foreach (var instruction in body.Instructions)
        {
            if (instruction.Operand == from)
                instruction.Operand = to;
            else if (instruction.Operand is Instruction[] targets)
                for (var i = 0; i < targets.Length; i++)
                    if (targets[i] == from) targets[i] = to;
        }
        foreach (var handler in body.ExceptionHandlers)
        {
            if (handler.TryStart == from) handler.TryStart = to;
            if (handler.TryEnd == from) handler.TryEnd = to;
            if (handler.HandlerStart == from) handler.HandlerStart = to;
            if (handler.HandlerEnd == from) handler.HandlerEnd = to;
            if (handler.FilterStart == from) handler.FilterStart = to;
        }
    }

    /// <summary>
    /// Sequence points and scope bounds tied to instructions (Cecil shows only their
    /// offsets, which stop meaning anything once code is inserted), so that they can move
    /// with the code like branch targets.
    /// </summary>
    internal sealed class DebugAnchors
    {
        private readonly MethodDebugInformation _debug;
        private readonly List<(SequencePoint Point, Instruction At)> _points = new();
        private readonly List<(ScopeDebugInformation Scope, Instruction Start, Instruction? End)> _scopes = new();

        public DebugAnchors(MethodDefinition method)
        {
            _debug = method.DebugInformation;
            var byOffset = new Dictionary<int, Instruction>();
            foreach (var instruction in method.Body.Instructions) byOffset.TryAdd(instruction.Offset, instruction);

            foreach (var point in _debug.SequencePoints)
                if (byOffset.TryGetValue(point.Offset, out var at))
                    _points.Add((point, at));
            if (_debug.Scope is { } root) AddScope(root, byOffset);
        }

        public List<(SequencePoint Point, Instruction At)> VisiblePoints() => _points.Where(p => !p.Point.IsHidden).ToList();

        public void MovePoints(Instruction from, Instruction to)
        {
            for (var i = 0; i < _points.Count; i++)
            {
                var (point, at) = _points[i];
                if (at != from) continue;
                var moved = new SequencePoint(to, point.Document)
                {
                    StartLine = point.StartLine, StartColumn = point.StartColumn,
                    EndLine = point.EndLine, EndColumn = point.EndColumn,
                };
                _debug.SequencePoints[_debug.SequencePoints.IndexOf(point)] = moved;
                _points[i] = (moved, to);
            }
        }

        public void MoveScopes(Instruction from, Instruction to)
        {
            for (var i = 0; i < _scopes.Count; i++)
            {
                var (scope, start, end) = _scopes[i];
                if (start == from)
                {
                    scope.Start = new InstructionOffset(to);
                    start = to;
                }
                if (end == from)
                {
                    scope.End = new InstructionOffset(to);
                    end = to;
                }
                _scopes[i] = (scope, start, end);
            }
        }

        private void AddScope(ScopeDebugInformation scope, Dictionary<int, Instruction> byOffset)
        {
            if (byOffset.TryGetValue(scope.Start.Offset, out var start))
            {
                Instruction? end = null;
                if (scope.End.IsEndOfMethod || byOffset.TryGetValue(scope.End.Offset, out end))
                    _scopes.Add((scope, start, end));
            }
            foreach (var inner in scope.Scopes) AddScope(inner, byOffset);
        }
    }
}
