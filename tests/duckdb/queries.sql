-- The differential corpus: each query runs in spindle and in DuckDB (differential.py).
-- A query starts with a line `-- name [ordered]`; `ordered` compares rows in order (the
-- ORDER BY must then be total), otherwise as a multiset. Tables are written {t1}, {t2}; {file:NAME} is a file of data/ that both engines read
-- themselves (t1.csv, t1.parquet: t1 written by pyarrow).

-- scan_all
SELECT * FROM {t1};
-- project_columns
SELECT id, name, qty FROM {t1};
-- filter_eq_string
SELECT id, name FROM {t1} WHERE name = 'Ana';
-- filter_null
SELECT id FROM {t1} WHERE name IS NULL;
-- filter_not_null_and
SELECT id, city FROM {t1} WHERE city IS NOT NULL AND qty > 40;
-- filter_or_three_valued
SELECT id FROM {t1} WHERE qty > 45 OR score < -95;
-- filter_not
SELECT id FROM {t1} WHERE NOT (qty < 10);
-- filter_in_list
SELECT id, name FROM {t1} WHERE name IN ('Ana', 'Bo', 'Zoë', '東京');
-- filter_not_in
SELECT count(*) FROM {t1} WHERE city NOT IN ('Lisbon', 'Porto');
-- filter_between
SELECT id, score FROM {t1} WHERE score BETWEEN -10 AND 10.5;
-- filter_not_between
SELECT count(*) FROM {t1} WHERE qty NOT BETWEEN 0 AND 40;
-- filter_like_prefix
SELECT id, email FROM {t1} WHERE email LIKE 'ana%';
-- filter_like_infix
SELECT id FROM {t1} WHERE email LIKE '%@mail.%';
-- filter_ilike
SELECT id, name FROM {t1} WHERE name ILIKE 'a%';
-- filter_not_like
SELECT count(*) FROM {t1} WHERE email NOT LIKE '%.com';
-- filter_bool_column
SELECT id FROM {t1} WHERE active;
-- filter_bool_not
SELECT count(*) FROM {t1} WHERE NOT active;
-- filter_dictionary_column
SELECT id FROM {t1} WHERE grp = 'b';
-- filter_date
SELECT id FROM {t1} WHERE day >= DATE '2026-06-01';
-- filter_arith
SELECT id FROM {t1} WHERE qty * 2 + 1 > 80;
-- str_lower_upper
SELECT id, lower(name), upper(city) FROM {t1};
-- str_length
SELECT id, length(name), strlen(name) FROM {t1};
-- str_contains
SELECT id FROM {t1} WHERE contains(email, 'ob');
-- str_starts_ends
SELECT id, starts_with(name, 'A'), ends_with(city, 'o') FROM {t1};
-- str_replace
SELECT id, replace(email, '@', ' at ') FROM {t1};
-- str_substr
SELECT id, substr(name, 2, 3), substring(city, -3) FROM {t1};
-- str_strpos
SELECT id, strpos(email, '@') FROM {t1};
-- str_concat_pipe
SELECT id, name || '/' || city FROM {t1};
-- str_concat_function
SELECT id, concat(name, '-', qty) FROM {t1};
-- str_regexp_matches
SELECT id FROM {t1} WHERE regexp_matches(email, '^[a-z]+[0-9]{2}@');
-- str_regexp_replace
SELECT id, regexp_replace(email, '[0-9]+', '#', 'g') FROM {t1};
-- str_regexp_extract
SELECT id, regexp_extract(email, '@([a-z]+)', 1) FROM {t1};
-- str_split_part
SELECT id, split_part(email, '@', 2) FROM {t1};
-- str_left_right
SELECT id, left(city, 3), right(city, 2) FROM {t1};
-- str_reverse_repeat
SELECT id, reverse(name), repeat(grp, 2) FROM {t1};
-- str_in_where_and_select
SELECT upper(name) AS u, length(email) AS n FROM {t1} WHERE lower(name) LIKE '%a%';
-- case_searched
SELECT id, CASE WHEN qty > 30 THEN 'high' WHEN qty > 10 THEN 'mid' ELSE 'low' END FROM {t1};
-- case_no_else
SELECT id, CASE WHEN active THEN score END FROM {t1};
-- case_simple
SELECT id, CASE grp WHEN 'a' THEN 1 WHEN 'b' THEN 2 ELSE 0 END FROM {t1};
-- case_mixed_numbers
SELECT id, CASE WHEN qty IS NULL THEN 0.5 ELSE qty END FROM {t1};
-- case_strings
SELECT id, CASE WHEN name IS NULL THEN city ELSE name END FROM {t1};
-- coalesce_strings
SELECT id, coalesce(name, city, 'nobody') FROM {t1};
-- coalesce_numbers
SELECT id, coalesce(qty, 0) + 1 FROM {t1};
-- ifnull
SELECT id, ifnull(score, -1.0) FROM {t1};
-- cast_int_to_varchar
SELECT id, CAST(qty AS VARCHAR) FROM {t1};
-- cast_float_to_int
SELECT id, CAST(score AS INTEGER) FROM {t1};
-- cast_string_to_int
SELECT id, CAST(split_part(email, '@', 1) LIKE '%1%' AS INTEGER) FROM {t1};
-- cast_int_to_double
SELECT id, CAST(qty AS DOUBLE) / 3 FROM {t1};
-- cast_date_to_varchar
SELECT id, CAST(day AS VARCHAR) FROM {t1};
-- try_cast
SELECT id, TRY_CAST(name AS INTEGER) FROM {t1};
-- cast_double_colon
SELECT id, qty::BIGINT * 2 FROM {t1};
-- count_star
SELECT count(*) FROM {t1};
-- count_column_nulls
SELECT count(name), count(qty), count(day) FROM {t1};
-- global_aggregates
SELECT sum(qty), avg(score), min(score), max(qty), count(*) FROM {t1};
-- global_aggregates_empty
SELECT count(*), sum(qty), avg(score), min(name), max(day) FROM {t1} WHERE qty > 1000;
-- global_stddev_var
SELECT stddev_samp(score), var_samp(score), stddev(qty), variance(qty) FROM {t1};
-- global_min_max_strings
SELECT min(name), max(name), min(city), max(grp) FROM {t1};
-- global_min_max_date_bool
SELECT min(day), max(day), min(active), max(active) FROM {t1};
-- global_count_distinct
SELECT count(DISTINCT name), count(DISTINCT city), count(DISTINCT qty) FROM {t1};
-- global_arith_on_aggregates
SELECT sum(qty) * 1.0 / count(qty), max(score) - min(score) FROM {t1};
-- group_count_string
SELECT name, count(*) FROM {t1} GROUP BY name;
-- group_count_large_string
SELECT city, count(*), count(name) FROM {t1} GROUP BY city;
-- group_dictionary_key
SELECT grp, sum(qty), avg(score) FROM {t1} GROUP BY grp;
-- group_int_key
SELECT qty, count(*) FROM {t1} GROUP BY qty;
-- group_bool_key
SELECT active, count(*), sum(qty) FROM {t1} GROUP BY active;
-- group_date_key
SELECT day, count(*) FROM {t1} GROUP BY day;
-- group_two_keys
SELECT city, grp, count(*), sum(qty) FROM {t1} GROUP BY city, grp;
-- group_three_keys_mixed
SELECT grp, active, qty > 20, count(*) FROM {t1} GROUP BY grp, active, qty > 20;
-- group_expression_key
SELECT lower(name), count(*) FROM {t1} GROUP BY lower(name);
-- group_by_alias
SELECT split_part(email, '@', 2) AS host, count(*) AS n FROM {t1} GROUP BY host;
-- group_by_ordinal
SELECT grp, city, max(score) FROM {t1} GROUP BY 1, 2;
-- group_by_all
SELECT grp, active, count(*) FROM {t1} GROUP BY ALL;
-- group_key_not_selected
SELECT count(*), sum(qty) FROM {t1} GROUP BY city;
-- group_min_max_strings
SELECT grp, min(name), max(name), min(email) FROM {t1} GROUP BY grp;
-- group_min_max_numbers
SELECT city, min(qty), max(qty), min(score), max(score) FROM {t1} GROUP BY city;
-- group_min_max_dates
SELECT grp, min(day), max(day) FROM {t1} GROUP BY grp;
-- group_count_distinct
SELECT city, count(DISTINCT name), count(DISTINCT grp) FROM {t1} GROUP BY city;
-- group_count_distinct_numbers
SELECT grp, count(DISTINCT qty), count(DISTINCT active) FROM {t1} GROUP BY grp;
-- group_stddev_var
SELECT grp, stddev_samp(score), var_samp(qty) FROM {t1} GROUP BY grp;
-- group_mean_alias
SELECT city, mean(score) FROM {t1} GROUP BY city;
-- group_first_last
SELECT grp, first(name), last(name), first(qty) FROM {t1} GROUP BY grp;
-- group_arith_on_aggregates
SELECT city, sum(qty) / count(*) AS per_row, max(qty) - min(qty) AS spread FROM {t1} GROUP BY city;
-- group_key_in_expression
SELECT upper(city) || ':' || CAST(count(*) AS VARCHAR) FROM {t1} GROUP BY city;
-- group_case_on_aggregate
SELECT grp, CASE WHEN count(*) > 700 THEN 'big' ELSE 'small' END FROM {t1} GROUP BY grp;
-- group_aggregate_of_expression
SELECT grp, sum(CASE WHEN active THEN 1 ELSE 0 END), avg(length(name)) FROM {t1} GROUP BY grp;
-- group_aggregate_of_coalesce
SELECT city, sum(coalesce(qty, 100)) FROM {t1} GROUP BY city;
-- group_where_then_group
SELECT name, count(*) FROM {t1} WHERE qty > 25 AND name LIKE '%a%' GROUP BY name;
-- having_count
SELECT name, count(*) AS n FROM {t1} GROUP BY name HAVING count(*) > 70;
-- having_alias
SELECT city, sum(qty) AS total FROM {t1} GROUP BY city HAVING total > 5000;
-- having_not_in_select
SELECT grp FROM {t1} GROUP BY grp HAVING avg(score) > 0;
-- having_and_key
SELECT city, count(*) FROM {t1} GROUP BY city HAVING city LIKE '%o%' AND count(*) > 100;
-- having_without_group
SELECT count(*) FROM {t1} HAVING count(*) > 5;
-- order_string_asc ordered
SELECT id, name FROM {t1} ORDER BY name, id;
-- order_string_desc ordered
SELECT id, name FROM {t1} ORDER BY name DESC, id;
-- order_nulls_first ordered
SELECT id, city FROM {t1} ORDER BY city NULLS FIRST, id;
-- order_desc_nulls_first ordered
SELECT id, score FROM {t1} ORDER BY score DESC NULLS FIRST, id;
-- order_multi_direction ordered
SELECT id, grp, qty FROM {t1} ORDER BY grp DESC, qty ASC, id DESC;
-- order_by_expression_not_selected ordered
SELECT id FROM {t1} ORDER BY length(email) DESC, id;
-- order_by_ordinal ordered
SELECT name, id FROM {t1} ORDER BY 2 DESC;
-- order_by_alias ordered
SELECT id, lower(name) AS lname FROM {t1} ORDER BY lname, id;
-- order_date ordered
SELECT id, day FROM {t1} ORDER BY day, id;
-- order_bool ordered
SELECT id, active FROM {t1} ORDER BY active DESC, id;
-- order_limit ordered
SELECT id, name FROM {t1} ORDER BY name, id LIMIT 10;
-- order_limit_offset ordered
SELECT id, email FROM {t1} ORDER BY email DESC, id LIMIT 7 OFFSET 20;
-- order_topk_desc ordered
SELECT id, score FROM {t1} ORDER BY score DESC, id LIMIT 5;
-- order_topk_nulls_first ordered
SELECT id, qty FROM {t1} ORDER BY qty NULLS FIRST, id LIMIT 250;
-- limit_only
SELECT count(*) FROM (SELECT id FROM {t1} LIMIT 123);
-- offset_past_end
SELECT id FROM {t1} ORDER BY id LIMIT 10 OFFSET 5000;
-- group_order_by_count ordered
SELECT name, count(*) AS n FROM {t1} GROUP BY name ORDER BY n DESC, name;
-- group_order_by_aggregate_not_selected ordered
SELECT city FROM {t1} GROUP BY city ORDER BY sum(qty) DESC, city;
-- group_order_limit ordered
SELECT lower(name) AS n, count(*) AS c FROM {t1} GROUP BY lower(name) ORDER BY c DESC, n LIMIT 5;
-- value_counts_style ordered
SELECT city, count(*) AS count FROM {t1} GROUP BY city ORDER BY count DESC, city NULLS FIRST;
-- distinct_one
SELECT DISTINCT grp FROM {t1};
-- distinct_two
SELECT DISTINCT city, active FROM {t1};
-- distinct_expression
SELECT DISTINCT lower(name) FROM {t1};
-- distinct_order ordered
SELECT DISTINCT city FROM {t1} ORDER BY city;
-- distinct_count_after
SELECT count(*) FROM (SELECT DISTINCT name, grp FROM {t1});
-- join_inner
SELECT a.id, a.city, b.country FROM {t1} a JOIN {t2} b ON a.city = b.city;
-- join_inner_star
SELECT * FROM {t1} a INNER JOIN {t2} b ON a.city = b.city WHERE a.id < 50;
-- join_left
SELECT a.id, a.city, b.country, b.pop FROM {t1} a LEFT JOIN {t2} b ON a.city = b.city;
-- join_left_unmatched
SELECT a.id FROM {t1} a LEFT JOIN {t2} b ON a.city = b.city WHERE b.country IS NULL;
-- join_semi
SELECT a.id, a.city FROM {t1} a SEMI JOIN {t2} b ON a.city = b.city;
-- join_anti
SELECT a.id, a.city FROM {t1} a ANTI JOIN {t2} b ON a.city = b.city;
-- join_two_keys
SELECT a.id, b.country FROM {t1} a JOIN {t2} b ON a.city = b.city AND a.grp = b.grp;
-- join_using
SELECT id, country FROM {t1} JOIN {t2} USING (city);
-- join_residual_condition
SELECT a.id, b.pop FROM {t1} a JOIN {t2} b ON a.city = b.city AND b.pop > 2000000;
-- join_reversed_equality
SELECT a.id, b.country FROM {t1} a JOIN {t2} b ON b.city = a.city;
-- join_expression_key
SELECT a.id, b.city FROM {t1} a JOIN {t2} b ON lower(a.city) = lower(b.city);
-- join_small_left
SELECT b.country, a.id FROM {t2} b JOIN {t1} a ON b.city = a.city;
-- join_semi_small_left
SELECT country FROM {t2} b SEMI JOIN {t1} a ON b.city = a.city;
-- join_anti_small_left
SELECT city, country FROM {t2} b ANTI JOIN {t1} a ON b.city = a.city;
-- join_left_small_left
SELECT b.city, a.id FROM {t2} b LEFT JOIN {t1} a ON b.city = a.city AND b.grp = a.grp;
-- join_group_by
SELECT b.country, count(*), sum(a.qty) FROM {t1} a JOIN {t2} b ON a.city = b.city GROUP BY b.country;
-- join_group_order ordered
SELECT b.country, count(*) AS n FROM {t1} a JOIN {t2} b ON a.city = b.city GROUP BY b.country ORDER BY n DESC, b.country;
-- join_name_clash
SELECT a.grp, b.grp, count(*) FROM {t1} a JOIN {t2} b ON a.city = b.city GROUP BY a.grp, b.grp;
-- join_int_key
SELECT a.id, b.id FROM {t1} a JOIN {t1} b ON a.qty = b.id WHERE a.id < 100;
-- join_self_string
SELECT count(*) FROM {t1} a JOIN {t1} b ON a.name = b.name WHERE a.grp = 'a' AND b.grp = 'b';
-- subquery_from
SELECT n, count(*) FROM (SELECT lower(name) AS n, qty FROM {t1} WHERE qty > 10) GROUP BY n;
-- subquery_aggregate_then_filter
SELECT * FROM (SELECT city, count(*) AS c FROM {t1} GROUP BY city) s WHERE s.c > 260;
-- subquery_nested
SELECT max(c) FROM (SELECT grp, count(*) AS c FROM (SELECT * FROM {t1} WHERE active) GROUP BY grp);
-- subquery_join ordered
SELECT s.city, s.n, b.country FROM (SELECT city, count(*) AS n FROM {t1} GROUP BY city) s JOIN {t2} b ON s.city = b.city ORDER BY s.city, b.country;
-- subquery_order_limit_outer ordered
SELECT id, name FROM (SELECT * FROM {t1} WHERE name LIKE 'A%') ORDER BY id DESC LIMIT 3;
-- division_by_zero_null
SELECT id, qty / (qty - qty) FROM {t1} WHERE id < 20;
-- modulo
SELECT id, qty % 7 FROM {t1};
-- unary_minus
SELECT id, -qty, -score FROM {t1};
-- null_arith
SELECT id, qty + NULL FROM {t1} WHERE id < 5;
-- count_distinct_expression
SELECT count(DISTINCT lower(name)) FROM {t1};
-- group_having_distinct
SELECT grp, count(DISTINCT city) AS c FROM {t1} GROUP BY grp HAVING count(DISTINCT city) > 5;
-- order_hidden_topk ordered
SELECT id, name FROM {t1} ORDER BY length(email) DESC, id LIMIT 15 OFFSET 3;
-- group_order_key_not_selected ordered
SELECT count(*) FROM {t1} GROUP BY city ORDER BY city NULLS FIRST;

-- read_csv_options
SELECT * FROM read_csv({file:t1.csv}, delim = ';', nullstr = 'NA');
-- read_csv_types
SELECT id, qty, score FROM read_csv({file:t1.csv}, delim = ';', nullstr = 'NA', types = {'qty': 'DOUBLE', 'id': 'VARCHAR'}) WHERE score > 0;
-- read_csv_group ordered
SELECT grp, count(*) AS n, sum(qty) AS q, min(day) AS d FROM read_csv({file:t1.csv}, delim = ';', nullstr = 'NA') GROUP BY grp ORDER BY grp NULLS LAST;
-- read_parquet_all
SELECT * FROM read_parquet({file:t1.parquet});
-- read_parquet_join
SELECT t.country, count(*) AS n, sum(p.qty) AS q FROM read_parquet({file:t1.parquet}) p JOIN {t2} t ON p.city = t.city GROUP BY t.country;
-- parquet_by_extension
SELECT city, avg(score) AS s FROM {file:t1.parquet} WHERE active GROUP BY city;
-- select_without_from
SELECT 1 + 1 AS two, 'a' || 'b' AS s, -9223372036854775808 AS m, upper('straße') AS u, length(repeat('ab', 3)) AS l;
-- select_without_from_aggregate
SELECT count(*) AS n, sum(2) AS s, min('x') AS m;
-- select_without_from_filtered
SELECT 1 AS one WHERE 1 > 2;

-- Issue 16's defects, each a named regression against DuckDB.
-- d2_qualified_wildcard
SELECT t.* FROM {t2} AS t;
-- d2_qualified_wildcard_join
SELECT b.*, a.id FROM {t1} a JOIN {t2} b ON a.city = b.city WHERE a.id < 400;
-- d3_right_column_renamed_left_unread
SELECT r.grp FROM {t1} l JOIN {t2} r ON l.city = r.city WHERE r.grp IS NOT NULL;
-- d3_right_column_renamed_left_join
SELECT r.grp, r.country FROM {t1} l LEFT JOIN {t2} r ON l.city = r.city;
-- d4_using_star
SELECT * FROM {t1} a JOIN {t2} b USING (city) WHERE a.id < 300;
-- d4_using_key_unqualified
SELECT city, count(*) AS n FROM {t1} JOIN {t2} USING (city) GROUP BY city;
-- d4_using_left_join_key
SELECT id, city, country FROM {t1} LEFT JOIN {t2} USING (city) WHERE id < 200;
-- d4_using_qualified_right_key
SELECT a.city, b.city FROM {t1} a LEFT JOIN {t2} b USING (city) WHERE a.id < 100;
-- d4_natural_join
SELECT * FROM (SELECT id, city, qty FROM {t1}) NATURAL JOIN (SELECT city, country FROM {t2});
-- d5_derived_column_aliases
SELECT x, y FROM (SELECT city, pop FROM {t2}) AS t(x, y) WHERE y > 1000000;
-- d5_derived_fewer_aliases
SELECT x, grp FROM (SELECT city, grp FROM {t2}) t(x);
-- d6_distinct_then_project
SELECT grp FROM (SELECT DISTINCT grp, active FROM {t1});
-- d6_distinct_star_count
SELECT count(*) FROM (SELECT DISTINCT * FROM {t2});
-- d7_null_contains
SELECT contains(name, NULL), instr(name, NULL), starts_with(name, NULL), suffix(name, NULL) FROM {t1} WHERE id < 20;
-- d7_null_rewrite
SELECT replace(name, NULL, 'x'), replace(name, 'a', NULL), translate(name, NULL, 'x'), repeat(name, NULL), left(name, NULL), right(name, NULL) FROM {t1} WHERE id < 20;
-- d7_null_split_substring
SELECT split_part(email, NULL, 1), split_part(email, '@', NULL), string_split(email, NULL), substring(name, NULL), substring(name, 1, NULL) FROM {t1} WHERE id < 20;
-- d7_null_regexp
SELECT regexp_matches(name, NULL), regexp_extract(email, '([a-z]+)', NULL), regexp_replace(name, NULL, 'x') FROM {t1} WHERE id < 20;
-- d10_quoted_function_name
SELECT "lower"(name), "UPPER"(name) FROM {t1} WHERE id < 20;
-- d10_range_table_function
SELECT * FROM range(5);
-- d10_range_step
SELECT * FROM range(10, 0, -3);
-- d10_generate_series
SELECT * FROM generate_series(2, 11, 3);
-- d11_string_literal_against_number
SELECT id FROM {t1} WHERE id < '5';
-- d12_exclude
SELECT * EXCLUDE (email, name) FROM {t1};
-- d12_replace
SELECT * REPLACE (upper(city) AS city, pop / 1000 AS pop) FROM {t2};
-- d12_qualified_exclude
SELECT a.* EXCLUDE (email), b.country FROM {t1} a JOIN {t2} b ON a.city = b.city;
-- d13_from_first
FROM {t2} LIMIT 3;
-- d13_from_first_select
FROM {t1} SELECT id, qty WHERE qty > 45;
-- d9_reverse_graphemes
SELECT reverse(name), reverse(city), reverse('🤦🏼‍♂️ab'), reverse('éa') FROM {t1};
-- set_union_all
SELECT name FROM {t1} WHERE id < 50 UNION ALL SELECT city FROM {t2};
-- set_union_distinct
SELECT city FROM {t1} UNION SELECT city FROM {t2};
-- set_union_types_widen
SELECT qty FROM {t1} WHERE id < 30 UNION ALL SELECT score FROM {t1} WHERE id < 30;
-- set_union_dictionary_and_string
SELECT grp FROM {t1} UNION SELECT grp FROM {t2};
-- set_intersect
SELECT city, grp FROM {t1} INTERSECT SELECT city, grp FROM {t2};
-- set_except
SELECT city FROM {t1} EXCEPT SELECT city FROM {t2};
-- set_union_order_limit ordered
SELECT name AS n FROM {t1} WHERE name IS NOT NULL UNION SELECT city FROM {t2} WHERE city IS NOT NULL ORDER BY n DESC LIMIT 7;
-- set_union_order_position ordered
SELECT id, name FROM {t1} WHERE id < 5 UNION ALL SELECT id + 1000, email FROM {t1} WHERE id < 5 ORDER BY 1;
-- set_nested_aggregate
SELECT count(*), count(DISTINCT c) FROM (SELECT city AS c FROM {t1} UNION ALL SELECT city FROM {t2});
-- with_cte
WITH big AS (SELECT * FROM {t1} WHERE qty > 40) SELECT city, count(*) FROM big GROUP BY city;
-- with_two_ctes
WITH a AS (SELECT city, qty FROM {t1}), b(c, n) AS (SELECT city, sum(qty) FROM a GROUP BY city) SELECT c, n FROM b WHERE n > 100;
-- with_cte_join
WITH d AS (SELECT city, country FROM {t2}) SELECT t.id, d.country FROM {t1} t JOIN d ON t.city = d.city WHERE t.id < 100;
-- values_table
SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, NULL)) AS v(x, y);
-- values_types
SELECT col0 + 1, col1 FROM (VALUES (1, 2.5), (2, 3)) t;
-- fn_trim
SELECT trim('  ' || name || ' '), ltrim(email, 'abc'), rtrim(city, 'o'), trim(BOTH 'a' FROM name), trim(LEADING ' ' FROM '  x '), trim(TRAILING FROM ' y  ') FROM {t1};
-- fn_lpad_rpad
SELECT lpad(name, 6, '*'), rpad(name, 4, 'ab'), lpad(city, 3, '.'), rpad(email, 20, 'é') FROM {t1};
-- op_regex_match
SELECT id FROM {t1} WHERE name ~ '^[A-Z][a-z]+$';
-- op_regex_variants
SELECT name ~* '^a', name !~ 'a', name !~* 'A' FROM {t1};
-- op_similar_to
SELECT id FROM {t1} WHERE email SIMILAR TO '[a-z]+[0-9]+@mail\.org' AND name NOT SIMILAR TO 'B.*';
-- fn_nullif_greatest_least_abs
SELECT nullif(qty, 0), greatest(qty, 10), least(qty, -1 * qty), greatest(name, city), least(score, NULL), abs(qty - 20), abs(score) FROM {t1};
-- agg_count_if_bool
SELECT grp, count_if(qty > 20), bool_and(active), bool_or(active) FROM {t1} GROUP BY grp;
-- subscript_string_and_list
SELECT name[1], name[-1], city[2], string_split(email, '@')[2], string_split(email, '@')[-1], list_extract(string_split(email, '@'), 1), string_split(email, '@')[0] FROM {t1};
-- order_by_all ordered
SELECT grp, active, count(*) FROM {t1} GROUP BY ALL ORDER BY ALL;
-- order_by_all_desc ordered
SELECT DISTINCT city, grp FROM {t2} ORDER BY ALL DESC;
