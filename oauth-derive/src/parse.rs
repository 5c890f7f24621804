//! Reading the user's struct: its named fields, its Diesel table, and which
//! field plays which role.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, Path, Type};

/// What a role accepts as a Rust type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// `String`
    Text,
    /// `String` or `Option<String>` (empty string / NULL for none)
    MaybeText,
    /// `Option<String>`
    OptText,
    /// An instant: `i64` or `i32` Unix seconds, or a `TIMESTAMP` as
    /// `NaiveDateTime` or `DateTime<Utc>` (oauth-diesel's `chrono` feature)
    Instant,
    /// An `Option` of an instant (NULL until it happens)
    OptInstant,
    /// A number of seconds (a lifetime, an interval): `i64` or `i32`
    Seconds,
    /// `String`, `i32`, `i64`, or `Option` of one (a user id)
    Owner,
    /// `Option<String>`, `Option<i32>` or `Option<i64>` (a user id, NULL
    /// until known)
    OptOwner,
    /// `String`, `i32` or `i64` (a user's own key)
    Key,
}

impl Kind {
    fn accepts(self, ty: &Type) -> bool {
        let shape = shape(ty);
        let s = shape.as_str();
        match self {
            Kind::Text => s == "String",
            Kind::MaybeText => matches!(s, "String" | "Option<String>"),
            Kind::OptText => s == "Option<String>",
            Kind::Instant => is_instant(s),
            Kind::OptInstant => s
                .strip_prefix("Option<")
                .and_then(|s| s.strip_suffix('>'))
                .is_some_and(is_instant),
            Kind::Seconds => matches!(s, "i64" | "i32"),
            Kind::Owner => matches!(
                s,
                "String" | "i32" | "i64" | "Option<String>" | "Option<i32>" | "Option<i64>"
            ),
            Kind::OptOwner => matches!(s, "Option<String>" | "Option<i32>" | "Option<i64>"),
            Kind::Key => matches!(s, "String" | "i32" | "i64"),
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Kind::Text => "`String`",
            Kind::MaybeText => "`String` or `Option<String>`",
            Kind::OptText => "`Option<String>` (NULL when absent)",
            Kind::Instant => {
                "`i64` or `i32` (Unix seconds), or `NaiveDateTime` or `DateTime<Utc>` (a `TIMESTAMP`)"
            }
            Kind::OptInstant => {
                "an `Option` of `i64`, `i32`, `NaiveDateTime` or `DateTime<Utc>` (NULL until set)"
            }
            Kind::Seconds => "`i64` or `i32` (a number of seconds)",
            Kind::Owner => "`String`, `i32` or `i64`, or an `Option` of one",
            Kind::OptOwner => {
                "`Option<String>`, `Option<i32>` or `Option<i64>` (NULL until authorized)"
            }
            Kind::Key => "`i32`, `i64` or `String`, the type of the tokens' `user_id`",
        }
    }
}

/// Unix seconds, or a chrono timestamp (`chrono::NaiveDateTime` and
/// `chrono::DateTime<chrono::Utc>` both shape to these).
fn is_instant(shape: &str) -> bool {
    matches!(shape, "i64" | "i32" | "NaiveDateTime" | "DateTime<Utc>")
}

/// The last path segment of a type with its generic arguments, without
/// spaces: `std::option::Option<i64>` is `Option<i64>`.
pub(crate) fn shape(ty: &Type) -> String {
    match ty {
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return String::new();
            };
            let mut out = last.ident.to_string();
            if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                let inner: Vec<String> = args
                    .args
                    .iter()
                    .map(|a| match a {
                        syn::GenericArgument::Type(t) => shape(t),
                        other => other.to_token_stream().to_string().replace(' ', ""),
                    })
                    .collect();
                out.push('<');
                out.push_str(&inner.join(","));
                out.push('>');
            }
            out
        }
        Type::Group(g) => shape(&g.elem),
        Type::Paren(p) => shape(&p.elem),
        other => other.to_token_stream().to_string().replace(' ', ""),
    }
}

/// One role a model field plays.
pub struct Role {
    /// The conventional field name, which is also the role's name.
    pub name: &'static str,
    /// Whether the struct must have it.
    pub required: bool,
    /// What type it must have.
    pub kind: Kind,
    /// Why the engine needs it, for the "missing field" message.
    pub purpose: &'static str,
}

/// A role resolved to a field of the struct.
pub struct Bound {
    /// The field.
    pub field: Ident,
    /// The Diesel column (the field name or `#[diesel(column_name = ...)]`).
    pub column: Ident,
    /// The field's type.
    pub ty: Type,
}

/// The parsed struct.
pub struct Model {
    pub ident: Ident,
    pub table: Path,
    bound: Vec<(&'static str, Bound)>,
}

impl Model {
    /// The field bound to a role, if any.
    pub fn find(&self, role: &str) -> Option<&Bound> {
        self.bound.iter().find(|(r, _)| *r == role).map(|(_, b)| b)
    }
}

/// The helper attribute of a family of derives: `#[oauth2(role)]` for the
/// OAuth 2.0 models, `#[oauth1(role)]` for the OAuth 1.0a ones.
pub struct Attr {
    /// The attribute's name.
    pub name: &'static str,
    /// A field with a role given, for the message about a misplaced
    /// attribute.
    pub example: &'static str,
}

/// `#[oauth2(role)]`.
pub const OAUTH2: Attr = Attr {
    name: "oauth2",
    example: "#[oauth2(access_token)] token_digest: String",
};

/// `#[oauth1(role)]`.
pub const OAUTH1: Attr = Attr {
    name: "oauth1",
    example: "#[oauth1(oauth_token)] token: String",
};

/// Parses `input` for a model with these roles, named with the `helper`
/// attribute.
pub fn parse_with(
    input: &DeriveInput,
    derive: &str,
    helper: &Attr,
    roles: &[Role],
) -> syn::Result<Model> {
    let a = helper.name;
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => &named.named,
            _ => {
                return Err(syn::Error::new(
                    input.ident.span(),
                    format!(
                        "#[derive({derive})] needs a struct with named fields, like the Diesel \
                         struct of your table: `struct {} {{ client_id: String, ... }}`",
                        input.ident
                    ),
                ));
            }
        },
        Data::Enum(e) => {
            return Err(syn::Error::new(
                e.enum_token.span(),
                format!("#[derive({derive})] works on structs with named fields, not on enums"),
            ));
        }
        Data::Union(u) => {
            return Err(syn::Error::new(
                u.union_token.span(),
                format!("#[derive({derive})] works on structs with named fields, not on unions"),
            ));
        }
    };

    // Every mistake below is collected and reported at once (serde's
    // `Ctxt` pattern), so that a struct with three problems is fixed in
    // one round, not three.
    let mut errors = Errors::default();
    for attr in &input.attrs {
        if attr.path().is_ident(a) {
            errors.push(syn::Error::new_spanned(
                attr,
                format!(
                    "#[{a}(...)] goes on a field, to name the role it plays, e.g. `{}`",
                    helper.example
                ),
            ));
        }
    }
    let table = errors.take(table_name(input, derive));

    let role_names: Vec<&str> = roles.iter().map(|r| r.name).collect();
    let mut explicit: Vec<(&'static str, Bound, Span)> = Vec::new();
    let mut by_name: Vec<Bound> = Vec::new();
    // A role attribute that does not parse leaves its field without the
    // role it was meant to give; "missing field" errors would then only
    // repeat that mistake, so they wait until the attributes are right.
    let mut attribute_failed = false;
    for field in fields {
        let ident = field.ident.clone().expect("named field");
        let column = errors
            .take(column_name(field))
            .flatten()
            .unwrap_or_else(|| ident.clone());
        let mut role_attr: Option<(&'static str, Span)> = None;
        for attr in &field.attrs {
            if !attr.path().is_ident(a) {
                continue;
            }
            if matches!(&attr.meta, syn::Meta::List(l) if l.tokens.is_empty())
                || matches!(&attr.meta, syn::Meta::Path(_))
            {
                errors.push(syn::Error::new_spanned(
                    attr,
                    format!(
                        "name the role this field plays, as in #[{a}({})]",
                        roles[0].name
                    ),
                ));
                attribute_failed = true;
                continue;
            }
            let parsed = attr.parse_nested_meta(|meta| {
                let ident_path = &meta.path;
                let name = meta
                    .path
                    .get_ident()
                    .map(Ident::to_string)
                    .unwrap_or_default();
                let Some(role) = roles.iter().find(|r| r.name == name) else {
                    return Err(meta.error(format!(
                        "unknown #[{a}] role `{}` for #[derive({derive})]; the roles are: {}",
                        meta.path.to_token_stream().to_string().replace(' ', ""),
                        role_names.join(", ")
                    )));
                };
                if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
                    let rest: TokenStream = meta.input.parse()?;
                    return Err(syn::Error::new_spanned(
                        quote::quote!(#ident_path #rest),
                        format!(
                            "an #[{a}] role takes no value: write `#[{a}({name})]`",
                            name = role.name
                        ),
                    ));
                }
                if role_attr.is_some() {
                    return Err(
                        meta.error(format!("a field plays one role; give it one #[{a}(...)]"))
                    );
                }
                role_attr = Some((role.name, meta.path.span()));
                Ok(())
            });
            attribute_failed |= errors.take(parsed).is_none();
        }
        let bound = Bound {
            field: ident,
            column,
            ty: field.ty.clone(),
        };
        match role_attr {
            Some((role, span)) => {
                if explicit.iter().any(|(r, _, _)| *r == role) {
                    errors.push(syn::Error::new(
                        span,
                        format!("two fields are marked #[{a}({role})]; keep one"),
                    ));
                } else {
                    explicit.push((role, bound, span));
                }
            }
            None => by_name.push(bound),
        }
    }

    for (role, claimed, _) in &explicit {
        if let Some(clash) = by_name.iter().find(|b| b.column == *role) {
            errors.push(syn::Error::new(
                clash.field.span(),
                format!(
                    "field `{role}` has the name of a role that `{}` is marked with; \
                     remove one of the two, or rename this field",
                    claimed.field
                ),
            ));
        }
    }

    let mut bound: Vec<(&'static str, Bound)> = Vec::new();
    for role in roles {
        let found = match explicit.iter().position(|(r, _, _)| *r == role.name) {
            Some(i) => Some(explicit.remove(i).1),
            None => by_name
                .iter()
                .position(|b| b.column == role.name)
                .map(|i| by_name.remove(i)),
        };
        match found {
            Some(b) => {
                if !role.kind.accepts(&b.ty) {
                    errors.push(syn::Error::new_spanned(
                        &b.ty,
                        format!(
                            "the `{}` field of #[derive({derive})] must be {}, found `{}`",
                            role.name,
                            role.kind.expected(),
                            b.ty.to_token_stream().to_string().replace(' ', "")
                        ),
                    ));
                }
                bound.push((role.name, b));
            }
            None if role.required && !attribute_failed => {
                let ty = match role.kind {
                    Kind::Text => "String",
                    Kind::MaybeText => "Option<String>",
                    Kind::OptText => "Option<String>",
                    Kind::Instant | Kind::Seconds => "i64",
                    Kind::OptInstant => "Option<i64>",
                    Kind::Owner | Kind::OptOwner => "Option<i32>",
                    Kind::Key => "i32",
                };
                errors.push(syn::Error::new(
                    input.ident.span(),
                    format!(
                        "#[derive({derive})] needs a field for `{name}` ({purpose}): add \
                         `{name}: {ty}`, or mark the field that holds it with #[{a}({name})]",
                        name = role.name,
                        purpose = role.purpose,
                    ),
                ));
            }
            None => {}
        }
    }
    errors.finish()?;
    // A missing table was reported above; `table_name` always says why.
    let table = table.ok_or_else(|| syn::Error::new(input.ident.span(), "no Diesel table"))?;
    Ok(Model {
        ident: input.ident.clone(),
        table,
        bound,
    })
}

/// Errors collected while reading a struct, reported together.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    /// Adds an error.
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// The value, or `None` with its error added.
    pub fn take<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|e| self.push(e)).ok()
    }

    /// `Err` with every error added, if any was.
    pub fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// `#[diesel(table_name = path)]` of the struct.
fn table_name(input: &DeriveInput, derive: &str) -> syn::Result<Path> {
    let mut table: Option<Path> = None;
    for attr in &input.attrs {
        if !attr.path().is_ident("diesel") {
            continue;
        }
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("table_name") {
                table = Some(meta.value()?.parse()?);
            } else {
                skip_meta(&meta)?;
            }
            Ok(())
        })?;
    }
    table.ok_or_else(|| {
        syn::Error::new(
            input.ident.span(),
            format!(
                "#[derive({derive})] needs the Diesel table: add \
                 #[diesel(table_name = your_table)] to the struct"
            ),
        )
    })
}

/// `#[diesel(column_name = ident)]` of a field.
fn column_name(field: &syn::Field) -> syn::Result<Option<Ident>> {
    let mut column: Option<Ident> = None;
    for attr in &field.attrs {
        if !attr.path().is_ident("diesel") {
            continue;
        }
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("column_name") {
                column = Some(meta.value()?.parse()?);
            } else {
                skip_meta(&meta)?;
            }
            Ok(())
        })?;
    }
    Ok(column)
}

/// Consumes a Diesel attribute item this derive does not care about.
fn skip_meta(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        let _: syn::Expr = meta.value()?.parse()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        let _: TokenStream = content.parse()?;
    }
    Ok(())
}
