# pg_dump and pg_restore into a fresh cluster carry the whole model: every
# rbac table row for row (the audit log included), built-in rows as a fresh
# install ships them, sequences where they were, so new ids continue without
# collision; RLS answers as before, and API keys still authenticate.
# test/cross-major/run asks the same across PostgreSQL majors.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use RbacTest;
use Test::More;

my $source = start_node('source');
my $keys = populate_everything($source);
my @answers = model_answers($source, $keys);
check_source($source, @answers);

my $dir = PostgreSQL::Test::Utils::tempdir;
dump_node($source, $dir);
my $restored = restore_dump('restored', $dir);
check_restored($restored, \@answers, $keys, 'the source');

# One more change of each kind gets the same new ids on both sides.
my $max_grant = $restored->safe_psql('postgres', 'SELECT max(id) FROM rbac.grants');
my $ids = next_ids($source);
is(next_ids($restored), $ids, 'new grants, roles, audit rows and keys get the ids they would have in the source');
cmp_ok((split /\n/, $ids)[0], '>', $max_grant, 'past every restored id');

$restored->stop;
$source->stop;
done_testing();
