namespace MiniLisp

/// What the lexer reads.
[<Struct>]
type Token =
    | Open
    | Close
    | Number of value: float
    | Symbol of name: string

/// A parsed expression.
type Expr =
    | Num of value: float
    | Sym of name: string
    | Call of head: Expr * args: Expr list
    | Lambda of parameters: string list * body: Expr
    | If of test: Expr * whenTrue: Expr * whenFalse: Expr
    | Let of name: string * bound: Expr * body: Expr

/// What an expression evaluates to.
type Value =
    | Int of int
    | Real of float
    | Closure of parameters: string list * body: Expr * env: Map<string, Value>
    | Builtin of name: string

/// A named top-level definition, with the names it uses from outside.
type Definition = { Name: string; Body: Expr; Free: Set<string> }

/// Something an expression can be checked against.
type Rule =
    abstract Check: Expr -> string option
