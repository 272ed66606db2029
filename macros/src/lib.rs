//! weft's `func!` macro: registers a plain Rust function for `weft::WorkerPool`.
//!
//! Users reach it as `weft::func!`; the expansion names only `::weft` paths, so a crate that
//! depends on `weft` needs nothing else (in the browser, not even wasm-bindgen).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, ReturnType, Type};

/// Registers a function for the worker pool and defines a `weft::Func` handle of the same name.
///
/// ```text
/// weft::func! {
///     /// Counts primes below `limit`.
///     pub fn count_primes(limit: u64) -> u64 { /* … */ }
/// }
/// // pool.run(count_primes, 10_000_000).await
/// ```
///
/// The function body becomes a hidden plain function; `count_primes` becomes a
/// `const count_primes: weft::Func<u64, u64>` carrying the name `"count_primes"`, a direct
/// pointer (natively the pool calls it on a CPU thread) and a bytes-to-bytes form. On `wasm32`
/// the macro also exports `__weft_fn_count_primes` from the wasm module, which is how a Web
/// Worker running the same module finds it, by name.
///
/// Arguments and the result are owned `weft::Payload` values (any serde type, or `weft::Bytes`);
/// several arguments become one tuple. The name must be unique in the final binary (the wasm
/// export would clash otherwise, at link time). `async fn`, generics and `self` are refused
/// with a compile error.
#[proc_macro]
pub fn func(input: TokenStream) -> TokenStream {
    match syn::parse::<ItemFn>(input) {
        Ok(item) => expand(item).unwrap_or_else(syn::Error::into_compile_error),
        Err(e) => e.into_compile_error(),
    }
    .into()
}

fn expand(item: ItemFn) -> syn::Result<TokenStream2> {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
        ..
    } = item;
    if let Some(asyncness) = sig.asyncness {
        return Err(syn::Error::new(
            asyncness.span(),
            "a registered function is a plain `fn`: CPU work runs to completion on a worker",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return Err(syn::Error::new(
            sig.generics.span(),
            "a registered function cannot be generic: a worker finds it by one name",
        ));
    }
    let mut params = Vec::new();
    let mut types = Vec::new();
    for (n, input) in sig.inputs.iter().enumerate() {
        match input {
            FnArg::Receiver(receiver) => {
                return Err(syn::Error::new(
                    receiver.span(),
                    "a registered function takes no `self`",
                ));
            }
            FnArg::Typed(typed) => {
                if let Type::Reference(reference) = &*typed.ty {
                    return Err(syn::Error::new(
                        reference.span(),
                        "arguments of a registered function are owned values (`String`, not \
                         `&str`): they cross to another worker",
                    ));
                }
                params.push(format_ident!("__weft_arg{}", n));
                types.push((*typed.ty).clone());
            }
        }
    }
    let name = &sig.ident;
    let name_text = name.to_string().trim_start_matches("r#").to_string();
    let export_name = format!("__weft_fn_{name_text}");
    let export_ident = format_ident!("__weft_export_{}", name_text);
    let inputs = &sig.inputs;
    let output = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    let (arg_type, unpack) = match types.as_slice() {
        [one] => (quote!(#one), quote!(let #(#params)* = __weft_input;)),
        _ => (
            quote!((#(#types,)*)),
            quote!(let (#(#params,)*) = __weft_input;),
        ),
    };
    // Docs and `cfg` describe the handle; anything else (`#[inline]`, lints) is the body's.
    let is_handle_attr = |a: &&syn::Attribute| a.path().is_ident("doc") || a.path().is_ident("cfg");
    let handle_attrs: Vec<_> = attrs.iter().filter(is_handle_attr).collect();
    let body_attrs: Vec<_> = attrs.iter().filter(|a| !is_handle_attr(a)).collect();
    let cfgs: Vec<_> = attrs.iter().filter(|a| a.path().is_ident("cfg")).collect();
    Ok(quote! {
        #(#handle_attrs)*
        #[allow(non_upper_case_globals)]
        #vis const #name: ::weft::Func<#arg_type, #output> = {
            #(#body_attrs)*
            fn __weft_body(#inputs) -> #output #block
            fn __weft_direct(__weft_input: #arg_type) -> #output {
                #unpack
                __weft_body(#(#params),*)
            }
            fn __weft_erased(
                input: ::std::vec::Vec<u8>,
            ) -> ::core::result::Result<::std::vec::Vec<u8>, ::weft::WorkerError> {
                ::weft::offload::call_encoded(__weft_direct, input)
            }
            ::weft::Func::__new(#name_text, __weft_direct, __weft_erased)
        };

        #(#cfgs)*
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            #[::weft::__private::wasm_bindgen::prelude::wasm_bindgen(
                wasm_bindgen = ::weft::__private::wasm_bindgen,
                js_name = #export_name
            )]
            #[doc(hidden)]
            pub fn #export_ident(
                input: ::weft::__private::wasm_bindgen::JsValue,
            ) -> ::core::result::Result<
                ::weft::__private::wasm_bindgen::JsValue,
                ::weft::__private::wasm_bindgen::JsValue,
            > {
                ::weft::__private::call_export(#name, input)
            }
        };
    })
}
